// Reads each .ics file named on the command line with Mozilla's ical.js, as Thunderbird does, and prints
// JSON: {file: {"events": [{uid, status, start, end}], "errors": [...]}}. Times with a TZID are resolved
// through the file's own VTIMEZONE and given as UTC instants ("2026-12-24T11:00:00Z"); all-day dates
// stay dates ("2026-12-25"). Exits 1 when a file does not parse or names a TZID it does not define.
//
//     node tests/icaljs_check.mjs public/calendar.ics public/maintenance.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function moment(time, property) {
  if (!time) return null;
  if (time.isDate) return time.toString();
  const tzid = property && property.getParameter("tzid");
  if (tzid && !property.parent.getTimeZoneByID(tzid)) {
    throw new Error(`${property.name.toUpperCase()} names TZID ${tzid}, which no VTIMEZONE of the file defines`);
  }
  if (time.zone === ICAL.Timezone.localTimezone) {
    throw new Error(`${property.name.toUpperCase()} is a floating time: its instant depends on the reader's zone`);
  }
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

const report = {};
let failed = false;
for (const file of process.argv.slice(2)) {
  const entry = (report[file] = { events: [], errors: [] });
  try {
    const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
    if (calendar.name !== "vcalendar") throw new Error(`the file holds a ${calendar.name}, not a vcalendar`);
    for (const component of calendar.getAllSubcomponents("vevent")) {
      const event = new ICAL.Event(component);
      try {
        entry.events.push({
          uid: event.uid,
          status: component.getFirstPropertyValue("status"),
          start: moment(event.startDate, component.getFirstProperty("dtstart")),
          end: moment(event.endDate, component.getFirstProperty("dtend")),
        });
      } catch (error) {
        entry.errors.push(`event ${event.uid}: ${error.message}`);
      }
    }
  } catch (error) {
    entry.errors.push(String(error && error.message ? error.message : error));
  }
  failed ||= entry.errors.length > 0;
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
process.exit(failed ? 1 : 0);
