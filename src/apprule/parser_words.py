"""What the parsers apprule quotes say (ruamel.yaml, Python's ``json`` and ``ast``), in the reader's language.

A syntax error in a scheme or a facts file is told in the parser's own words, which are English. They are
few and fixed (a phrase, sometimes with the character or token found), so each known phrase is a pattern
here and a message of the catalogue: ``while parsing a flow sequence expected ',' or ']', but got '<stream
end>'`` reads ``解析方括号列表时: 应为“,”或“]”,却遇到文件结尾``. A phrase not known here (a parser's newer
wording) is shown as the parser said it: a reader loses a translation, never the message.
"""

from __future__ import annotations

import re

from .i18n import N_, _

#: ruamel.yaml's "while …" contexts (where the problem started)
_YAML_CONTEXTS: dict[str, str] = {
    "while parsing a flow sequence": N_("while reading a list in square brackets"),
    "while parsing a flow mapping": N_("while reading a mapping in braces"),
    "while parsing a block mapping": N_("while reading a mapping (key: value lines)"),
    "while parsing a block collection": N_("while reading a list or mapping"),
    "while parsing a node": N_("while reading a value"),
    "while scanning a simple key": N_("while reading a key"),
    "while scanning a quoted scalar": N_("while reading a quoted text"),
    "while scanning a double-quoted scalar": N_("while reading a quoted text"),
    "while scanning a plain scalar": N_("while reading a text"),
    "while scanning a block scalar": N_("while reading a block of text (| or >)"),
    "while scanning an alias": N_("while reading an alias (*)"),
    "while scanning an anchor": N_("while reading an anchor (&)"),
    "while scanning a tag": N_("while reading a tag (!)"),
    "while scanning for the next token": N_("while reading the next item"),
    "while composing a mapping": N_("while reading a mapping"),
}

#: ruamel.yaml's problems; ``{found}`` is a character or token, told in the reader's words (``_token``)
_YAML_PROBLEMS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), message) for pattern, message in (
    (r"mapping values are not allowed here", N_("a colon here starts no value (check the indentation, or quote a "
                                                "text holding ': ')")),
    (r"could not find expected ':'", N_("the ':' after a key is missing")),
    (r"expected ',' or '\]', but got (?P<found>.+)", N_("expected ',' or ']', but found {found}")),
    (r"expected ',' or '\}', but got (?P<found>.+)", N_("expected ',' or '}}', but found {found}")),
    (r"expected <block end>, but found (?P<found>.+)", N_("the indentation does not match the lines above: found "
                                                          "{found}")),
    (r"expected the node content, but found (?P<found>.+)", N_("expected a value, but found {found}")),
    (r"found character (?P<found>.+) that cannot start any token",
     N_("character {found} cannot start a value (indent with spaces, not tabs; quote a text starting with it)")),
    (r"found unexpected end of stream", N_("the file ends too early (is a quote left open?)")),
    (r"found unexpected ':'", N_("unexpected ':'")),
    (r"sequence entries are not allowed here", N_("a list item ('- ') is not allowed here (check the "
                                                  "indentation)")),
    (r"mapping keys are not allowed here", N_("a key ('? ') is not allowed here")),
    (r"found unknown escape character (?P<found>.+)", N_("unknown escape character {found} in a quoted text")),
    (r"found duplicate key", N_("a key appears twice")),
    (r"found unexpected document separator", N_("unexpected document separator ('---')")),
    (r"invalid intendation or unclosed '\[' or '\{'", N_("wrong indentation, or a bracket left open")),
)]

#: the tokens ruamel.yaml names
_TOKENS: dict[str, str] = {
    "'<stream end>'": N_("the end of the file"),
    "'<block end>'": N_("the end of an indented block"),
    "'<block mapping start>'": N_("the start of a mapping"),
    "'<block sequence start>'": N_("the start of a list"),
    "'<scalar>'": N_("a value"),
    "'<document start>'": N_("a document start ('---')"),
    "'<document end>'": N_("a document end ('...')"),
    "'<alias>'": N_("an alias (*)"),
    "'<anchor>'": N_("an anchor (&)"),
    "'<tag>'": N_("a tag (!)"),
}

#: Python's json messages (``JSONDecodeError.msg``)
_JSON: dict[str, str] = {
    "Expecting value": N_("a value is expected here"),
    "Expecting property name enclosed in double quotes": N_("a key in double quotes is expected here (is there a "
                                                            "comma after the last item?)"),
    "Expecting ':' delimiter": N_("':' is expected after the key"),
    "Expecting ',' delimiter": N_("',' is expected between items"),
    "Unterminated string starting at": N_("a text in quotes is not closed"),
    "Invalid control character at": N_("a control character (a line break or tab) inside a quoted text"),
    "Invalid \\escape": N_("unknown escape in a quoted text"),
    "Invalid \\uXXXX escape": N_("a \\u escape needs four hexadecimal digits"),
    "Extra data": N_("more after the end of the JSON value"),
}


#: Python's syntax errors in an expression (``SyntaxError.msg``), which ``ast`` parses
_PYTHON: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), message) for pattern, message in (
    (r"invalid syntax(\. Perhaps you forgot a comma\?)?", N_("not a well-formed expression")),
    (r"'(?P<found>.)' was never closed", N_("'{found}' is never closed")),
    (r"unmatched '(?P<found>.)'", N_("'{found}' closes nothing")),
    (r"closing parenthesis '(?P<found>.)' does not match opening parenthesis '(?P<opening>.)'",
     N_("'{found}' does not close '{opening}'")),
    (r"invalid character '(?P<found>.)' \(U\+(?P<code>[0-9A-F]+)\)",
     N_("character '{found}' (U+{code}) cannot be used in an expression (a full-width character? use ( ) , + "
        "- and the like as ASCII)")),
    (r"invalid non-printable character U\+(?P<code>[0-9A-F]+)",
     N_("an invisible character (U+{code}) in the expression")),
    (r"unterminated string literal \(detected at line \d+\)", N_("a text in quotes is not closed")),
    (r"leading zeros in decimal integer literals are not permitted.*",
     N_("a whole number does not start with 0 (write 1, not 01)")),
    (r"expected 'else' after 'if' expression", N_("'if' needs an 'else' (a if condition else b)")),
)]


def yaml_message(context: str | None, problem: str | None) -> str:
    """ruamel.yaml's ``context`` and ``problem`` as one message in the reader's language."""
    parts = []
    if context:
        known = _YAML_CONTEXTS.get(context)
        parts.append(_(known) if known else context)
    if problem:
        parts.append(_yaml_problem(problem))
    return _("{context}: {problem}", context=parts[0], problem=parts[1]) if len(parts) == 2 else "".join(parts)


def _yaml_problem(problem: str) -> str:
    for pattern, message in _YAML_PROBLEMS:
        if matched := pattern.fullmatch(problem):
            found = matched.groupdict().get("found")
            return _(message, found=_token(found)) if found is not None else _(message)
    return problem


def _token(found: str) -> str:
    known = _TOKENS.get(found)
    return _(known) if known else found


def json_message(message: str) -> str:
    """Python's json ``message`` in the reader's language."""
    known = _JSON.get(message)
    return _(known) if known else message


def python_message(message: str) -> str:
    """Python's syntax error ``message`` about an expression, in the reader's language."""
    for pattern, said in _PYTHON:
        if matched := pattern.fullmatch(message):
            return _(said, **matched.groupdict()) if matched.groupdict() else _(said)
    return message
