{#- Says next to each channel whether it is open now, from the schedule embedded above
    (`start` and `end` in UTC epoch seconds, spans as minutes after `start`); the static
    page never claims it. Runs every minute. A Jinja comment, so it costs no bytes. -#}
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("schedule").textContent), text = data.text;
  if (typeof Intl === "undefined") return;
  function fill(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k]; }); }
  function clock(zone) {
    return new Intl.DateTimeFormat(data.lang, {timeZone: zone, hour: data.hour, minute: "2-digit", hourCycle: "h23"});
  }
  var mine = clock();
  function update() {
    var now = Date.now() / 1000;
    data.departments.forEach(function (dep) {
      var there = clock(dep.zone),
          date = new Intl.DateTimeFormat("en-CA", {timeZone: dep.zone, year: "numeric", month: "2-digit", day: "2-digit"}),
          weekday = new Intl.DateTimeFormat(data.lang, {timeZone: dep.zone, weekday: "long"}),
          dated = new Intl.DateTimeFormat(data.lang, {timeZone: dep.zone, weekday: "long", day: "numeric", month: "long"});
      function on(t) { return date.format(new Date(t * 1000)); }
      function at(t) {
        var d = new Date(t * 1000), a = there.format(d), b = mine.format(d);
        return fill(a === b ? text.at : text.both, {time: a, zone: dep.name, mine: b});
      }
      function day(t) {
        if (on(t) === on(now)) return text.today;
        if (on(t) === on(now + 86400)) return text.tomorrow;
        // A weekday alone is only clear within the coming week; further on, say the date too.
        return (t - now < 6 * 86400 ? weekday : dated).format(new Date(t * 1000));
      }
      Object.keys(dep.channels).forEach(function (id) {
        var el = document.querySelector('[data-live="' + id + '"]'), spans = dep.channels[id], msg = "", i, s, e;
        if (!el) return;
        if (now >= data.start && now < data.end) {
          msg = text.closed;
          for (i = 0; i < spans.length; i++) {
            s = data.start + spans[i][0] * 60; e = data.start + spans[i][1] * 60;
            if (now < s) { msg = fill(text.opens, {day: day(s), at: at(s)}); break; }
            if (now < e) {
              // A closing on a later day (a 24-hour channel until Thursday 00:00) names that day.
              msg = e >= data.end ? text.open : on(e - 1) === on(now) ? fill(text.closes, {at: at(e)})
                : fill(text.closes_on, {day: day(e), at: at(e)});
              break;
            }
          }
        }
        el.textContent = msg;
        el.hidden = !msg;
      });
    });
  }
  update();
  setInterval(update, 60000);
})();
