#!/usr/bin/env python3
"""Validates captured Runa API answers and webhook bodies against Runa's published OpenAPI and error table.

Reads one JSON document on standard input:

    {"answers":  [{"method": "GET", "path": "/order/{id}", "status": 200, "body": {...}, "expect": "valid"}, ...],
     "webhooks": [{"event": "order.completion", "body": {...}, "expect": "valid"}, ...]}

`path` is the OpenAPI path template (without the /v2 base), or null for a path the API does not have. `expect` is "valid" (the default) or "invalid": an
entry expected to be refused proves the validator can fail (an added property, a wrong error type).

Strict where the OpenAPI is loose: a property the schema does not define is an error (`unevaluatedProperties:
false` at every place a schema is used as a whole, so `allOf` compositions still see each other's properties).
`nullable: true` (an OpenAPI 3.0 keyword the 3.1 document still uses) allows null. Every error answer must carry
a `type` from errors.mdx with the HTTP status that table gives it; a 429 is `RateExceededResponse`.

Exit 0 when every valid entry validates and every invalid one is refused; 1 otherwise, listing each problem.
Needs the `jsonschema` package (pip install jsonschema).
"""
import copy
import datetime
import html
import json
import pathlib
import re
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = "urn:runa:openapi"
HERE = pathlib.Path(__file__).resolve().parent
CONTRACT = HERE.parent / "docs" / "runa-2024-02-05"

# Keywords whose values are schemas in "value position": each is used as a whole, so it is made strict.
VALUE_MAPS = ("properties", "patternProperties", "$defs", "definitions")
VALUE_SINGLE = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else")
VALUE_LISTS = ("oneOf", "anyOf", "prefixItems")


def strict(node, whole=True):
    """The schema with nullable made explicit and, where it is used as a whole, no undefined properties."""
    if isinstance(node, list):
        return [strict(child, whole) for child in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in VALUE_MAPS and isinstance(value, dict):
            out[key] = {name: strict(child) for name, child in value.items()}
        elif key in VALUE_SINGLE and isinstance(value, dict):
            out[key] = strict(value)
        elif key in VALUE_LISTS:
            out[key] = [strict(child) for child in value]
        elif key == "allOf":
            # Members of an allOf are parts of one schema: the strictness belongs to the whole.
            out[key] = [strict(child, whole=False) for child in value]
        elif key in ("example", "examples"):
            continue
        else:
            out[key] = value
    if out.pop("nullable", False):
        if "type" in out:
            kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = kinds + ["null"]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    if whole and "additionalProperties" not in out:
        out["unevaluatedProperties"] = False
    return out


def load_contract():
    spec = json.loads((CONTRACT / "openapi.json").read_text())
    document = copy.deepcopy(spec)
    # Component schemas are targets of $ref: strictness is added where they are referenced, not in them.
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        schemas[name] = strict(schema, whole=False)
        # Their own properties are still used as wholes (strict() did that); only the top stays open.

    def strict_schemas(node):
        # Every `schema` of a path, a webhook or a shared response is used as a whole.
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, dict):
                    node[key] = strict(value)
                else:
                    strict_schemas(value)
        elif isinstance(node, list):
            for child in node:
                strict_schemas(child)

    strict_schemas(document["paths"])
    strict_schemas(document.get("webhooks", {}))
    strict_schemas(document["components"].get("responses", {}))
    registry = Registry().with_resource(ROOT, Resource(contents=document, specification=DRAFT202012))
    return spec, registry


def error_table():
    """`type` → HTTP status, from the table of errors.mdx (deprecated rows included: Runa may still send them)."""
    table = {}
    for line in (CONTRACT / "errors.mdx").read_text().splitlines():
        match = re.match(r"\|\s*(?:<del>)?`([a-z_]+)`.*?\|\s*`(\d{3})`", line)
        if match:
            table[match.group(1)] = int(match.group(2))
    return table


def date_time(value):
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time")(date_time)
FORMATS.checks("email")(lambda value: not isinstance(value, str) or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) is not None)


def problems_with(schema_ref, body, registry):
    schema = {"$ref": ROOT + schema_ref, "unevaluatedProperties": False}
    validator = jsonschema.Draft202012Validator(schema, registry=registry, format_checker=FORMATS)
    return sorted(
        ("/".join(str(part) for part in error.absolute_path) or "(body)") + ": " + error.message
        for error in validator.iter_errors(body)
    )


def resolve_response(spec, response):
    while "$ref" in response:
        name = response["$ref"].split("/")[-1]
        response = spec["components"]["responses"][name]
    return response


def answer_schema(spec, method, path, status):
    """The JSON pointer (from the root) of the schema for this answer, or None when the operation lacks it."""
    operation = spec["paths"].get(path, {}).get(method.lower())
    if operation is None:
        raise KeyError(f"{method} {path} is not in the OpenAPI")
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    if "$ref" in response:
        name = response["$ref"].split("/")[-1]
        return f"#/components/responses/{name}/content/application~1json/schema", resolve_response(spec, response)
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method.lower()}/responses/{status}/content/application~1json/schema", response


def check_answer(spec, registry, table, entry):
    method, path, status, body = entry["method"], entry["path"], entry["status"], entry["body"]
    if path is None and status < 400:
        return [f"HTTP {status} for a path the OpenAPI does not have"]
    # A path the API does not have (null) can only be answered with an error of the table.
    found = answer_schema(spec, method, path, status) if path is not None else None
    problems = []
    if status >= 400:
        if status == 429:
            ref = "#/components/schemas/RateExceededResponse"
        elif status == 422:
            ref = "#/components/schemas/ValidationErrorResponse"
        else:
            ref = "#/components/schemas/APIErrorResponse"
        if found is not None:
            ref = found[0]
        problems += problems_with(ref, body, registry)
        if status != 429 and isinstance(body, dict):
            kind = body.get("type")
            if kind not in table:
                problems.append(f"type {kind!r} is not in errors.mdx")
            elif table[kind] != status:
                problems.append(f"type {kind!r} is HTTP {table[kind]} in errors.mdx, answered {status}")
        if found is None and status not in (400, 401, 403, 404, 410, 429, 500, 504):
            problems.append(f"HTTP {status} is neither in the operation's responses nor in errors.mdx")
    else:
        if found is None:
            return [f"HTTP {status} is not a documented answer of {method} {path}"]
        problems += problems_with(found[0], body, registry)
    return problems


def check_webhook(spec, registry, entry):
    event = entry["event"]
    if event not in spec.get("webhooks", {}):
        return [f"webhook {event!r} is not in the OpenAPI"]
    escaped = event.replace("~", "~0").replace("/", "~1")
    ref = f"#/webhooks/{escaped}/post/requestBody/content/application~1json/schema"
    return problems_with(ref, entry["body"], registry)


def main():
    captured = json.load(sys.stdin)
    spec, registry = load_contract()
    table = error_table()
    failures = []
    counts = {"answers": 0, "webhooks": 0, "refused as expected": 0}
    entries = [("answers", e) for e in captured.get("answers", [])] + [("webhooks", e) for e in captured.get("webhooks", [])]
    for kind, entry in entries:
        if kind == "answers":
            label = f"{entry['method']} {entry['path'] or '(no such path)'} → {entry['status']}"
            problems = check_answer(spec, registry, table, entry)
        else:
            label = f"webhook {entry['event']}"
            problems = check_webhook(spec, registry, entry)
        name = entry.get("name", "")
        if entry.get("expect", "valid") == "invalid":
            if problems:
                counts["refused as expected"] += 1
            else:
                failures.append(f"{label} ({name}): expected to be refused, but it validates: {json.dumps(entry['body'])[:300]}")
            continue
        counts[kind] += 1
        for problem in problems:
            failures.append(f"{label} ({name}): {html.unescape(problem)}")
    for failure in failures:
        print("PROBLEM " + failure)
    print(f"validated {counts['answers']} answers and {counts['webhooks']} webhook bodies against openapi.json and "
          f"errors.mdx; {counts['refused as expected']} altered copies refused as expected; {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
