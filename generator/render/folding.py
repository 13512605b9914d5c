"""Templates compiled once per language, each message's translation written into the compiled code.

A page asks for the same few dozen words (`{{ _("Closed") }}`, `{% trans %}…`) on
every render; through gettext that is a function call, a catalog lookup and an
escape each time, a third of the time of a notice's page.  The words of a message
cannot change while a build runs, so each language gets its own environment
(frame.language_environment) whose templates have the translation of every
constant message put in place when the template is compiled; a message without
placeholders then becomes part of the template's text.

What the page shows is exactly what Jinja2's newstyle gettext would give
(i18n.template_gettext, which stays installed for anything not folded here):
the translation is safe markup when autoescaping, `%%` reads `%`, and
placeholders are filled from the keyword arguments, escaped.
"""

from __future__ import annotations

import gettext
import hashlib
from functools import lru_cache
from pathlib import Path

from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from generator.render.i18n import messages_digest

# The names by which templates ask for a translation (jinja2.ext.i18n's `{% trans %}` uses `gettext`).
GETTEXT_NAMES = frozenset({"_", "gettext"})


def fold_messages(tree: nodes.Template, translations: gettext.NullTranslations) -> nodes.Template:
    """Return a parsed template with each `_("…")`/`gettext("…")` of a constant message replaced by its translation.

    A template that binds one of those names itself (a variable, a macro argument, an
    import) is left as it is: its calls need not be translations.
    """
    # One walk through the tree for the four kinds of binding (each walk costs as much as a tenth
    # of compiling the template).
    for node in tree.find_all((nodes.Name, nodes.FromImport, nodes.Macro, nodes.Import)):
        if isinstance(node, nodes.Name):
            binds = node.ctx in ("store", "param") and node.name in GETTEXT_NAMES
        elif isinstance(node, nodes.FromImport):
            binds = any((n if isinstance(n, str) else n[-1]) in GETTEXT_NAMES for n in node.names)
        elif isinstance(node, nodes.Macro):
            binds = node.name in GETTEXT_NAMES
        else:
            binds = node.target in GETTEXT_NAMES
        if binds:
            return tree
    folded = _MessageFolder(translations).visit(tree)
    return folded.set_environment(tree.environment)


class _MessageFolder(NodeTransformer):
    def __init__(self, translations: gettext.NullTranslations):
        self.translations = translations

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        # Jinja joins the constant parts of `a ~ b` with str(), which would drop a folded
        # translation's markup (and escape it): messages joined by `~` stay gettext calls.
        node.nodes = [self.generic_visit(child) if _is_message(child) else self.visit(child) for child in node.nodes]
        return node

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not _is_message(node):
            return node
        text = self.translations.gettext(node.args[0].value)
        if node.kwargs:
            # Newstyle: Markup(translation) % variables, which escapes each variable.
            variables = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value) for k in node.kwargs])
            folded = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), variables)
            return folded.set_lineno(node.lineno)
        if "%" in text.replace("%%", ""):
            return node  # `% {}` of a stray placeholder is left to gettext, as it would be without folding
        return nodes.MarkSafeIfAutoescape(nodes.Const(text.replace("%%", "%"))).set_lineno(node.lineno)


def _is_message(node: nodes.Node) -> bool:
    """Tell whether a node is `_("constant")` or `gettext("constant", name=...)`."""
    return (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES
            and len(node.args) == 1 and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)
            and node.dyn_args is None and node.dyn_kwargs is None)


@lru_cache(maxsize=16)
def catalog_fingerprint(translations: gettext.NullTranslations) -> str:
    """Return a digest of a catalog's messages (i18n.messages_digest: the same for every language
    without a catalog) and of this module's code, which decides what the compiled templates hold."""
    return hashlib.sha256(repr((_code_digest(), messages_digest(translations))).encode()).hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
