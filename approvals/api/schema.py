"""What the OpenAPI schema states beyond what drf-spectacular reads off the
serializers: rules the server enforces, so that a client generated from the
schema (or schemathesis) expects the answers it gets.

SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] runs `state_enforced_rules`.
"""

# The server refuses NUL characters in every string (Django's and DRF's
# ProhibitNullCharactersValidator); ECMA-262 and Python regexes read \u0000 alike.
NO_NUL = r"^[^\u0000]*$"


def _strings(schema: dict):
    """Every plain string schema under `schema` (no enum, no format)."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        yield schema
    for key in ("properties",):
        for child in schema.get(key, {}).values():
            yield from _strings(child)
    for key in ("items", "additionalProperties"):
        yield from _strings(schema.get(key))
    for key in ("allOf", "oneOf", "anyOf"):
        for child in schema.get(key, []):
            yield from _strings(child)


def state_enforced_rules(result, generator, request, public):
    components = result.get("components", {}).get("schemas", {})
    for name, component in components.items():
        if name.endswith("Request"):
            for string in _strings(component):
                string.setdefault("pattern", NO_NUL)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query":
                    for string in _strings(parameter.get("schema")):
                        string.setdefault("pattern", NO_NUL)
    cancel = components.get("CancelRequest")
    if cancel:
        cancel["required"] = ["comment"]
        cancel["properties"]["comment"].update(minLength=1)
        cancel["properties"]["comment"].pop("default", None)
    return result
