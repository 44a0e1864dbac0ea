#!/usr/bin/python3
"""Validate faultline JSON against its published schemas.

usage: validate.py verdicts|events FILE...

  verdicts  FILE is one faultline.verdicts/v1 envelope (schema/verdicts.v1.schema.json)
  events    FILE is faultline.events/v1 JSON Lines, checked line by line
            (schema/events.v1.schema.json); blank lines are ignored

FILE may be "-" for standard input. Exit status: 0 valid, 1 invalid (every error is
printed as FILE[:LINE]: PATH: MESSAGE), 2 usage, read or JSON syntax error.

Needs python3-jsonschema >= 4 (Draft202012Validator); run it with /usr/bin/python3.
Format "date-time" is only enforced by jsonschema's FormatChecker when an RFC 3339
checker package is installed, so the schemas also carry an explicit pattern.
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - depends on the interpreter
    sys.stderr.write("validate.py: python module 'jsonschema' not found (use /usr/bin/python3)\n")
    sys.exit(2)

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")
SCHEMAS = {
    "verdicts": "verdicts.v1.schema.json",
    "events": "events.v1.schema.json",
}


def load_validator(which):
    """Draft 2020-12 validator with format checking for schema `which`."""
    path = os.path.normpath(os.path.join(SCHEMA_DIR, SCHEMAS[which]))
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors_of(validator, doc):
    """Sorted, human-readable error strings (empty when valid)."""
    out = []
    for e in sorted(validator.iter_errors(doc), key=lambda e: (list(e.absolute_path), e.message)):
        where = "/" + "/".join(str(p) for p in e.absolute_path)
        msg = e.message
        if e.validator in ("pattern", "format") and isinstance(e.schema, dict) \
                and "description" in e.schema:
            msg = "%r is not valid: expected %s" % (e.instance, e.schema["description"])
        out.append("%s: %s" % (where, msg))
    return out


def parse_json(text):
    """json.loads that rejects NaN/Infinity (not JSON) and duplicate keys."""

    def no_constant(name):
        raise ValueError("%s is not JSON" % name)

    def no_dupes(pairs):
        obj = {}
        for k, v in pairs:
            if k in obj:
                raise ValueError("duplicate key %r" % k)
            obj[k] = v
        return obj

    return json.loads(text, parse_constant=no_constant, object_pairs_hook=no_dupes)


def read_text(path):
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    return data.decode("utf-8")  # strict: invalid UTF-8 is an error


def validate_verdicts(validator, name, text):
    """Problems in one envelope; raises ValueError on JSON syntax errors."""
    return ["%s: %s" % (name, m) for m in errors_of(validator, parse_json(text))]


def validate_events(validator, name, text):
    """Problems in a JSON Lines file; raises ValueError (with line) on syntax errors."""
    problems = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            doc = parse_json(line)
        except ValueError as e:
            raise ValueError("%s:%d: %s" % (name, lineno, e))
        problems += ["%s:%d: %s" % (name, lineno, m) for m in errors_of(validator, doc)]
    return problems


def validate_file(validator, which, path):
    """0 valid, 1 invalid, 2 unreadable or not JSON; problems printed to stderr."""
    name = "<stdin>" if path == "-" else path
    try:
        text = read_text(path)
        check = validate_verdicts if which == "verdicts" else validate_events
        problems = check(validator, name, text)
    except (OSError, UnicodeDecodeError) as e:
        sys.stderr.write("validate.py: cannot read '%s': %s\n" % (name, e))
        return 2
    except ValueError as e:
        sys.stderr.write("validate.py: '%s' is not valid JSON: %s\n" % (name, e))
        return 2
    if problems:
        for p in problems:
            sys.stderr.write(p + "\n")
        sys.stderr.write("validate.py: '%s' does not match %s (%d problem%s)\n"
                         % (name, SCHEMAS[which], len(problems), "" if len(problems) == 1 else "s"))
        return 1
    return 0


def main(argv):
    if len(argv) < 3 or argv[1] not in SCHEMAS:
        sys.stderr.write("usage: validate.py verdicts|events FILE...\n")
        return 2
    which = argv[1]
    try:
        validator = load_validator(which)
    except jsonschema.SchemaError as e:
        sys.stderr.write("validate.py: schema '%s' is invalid: %s\n" % (SCHEMAS[which], e.message))
        return 2
    return max(validate_file(validator, which, path) for path in argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
