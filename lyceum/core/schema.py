"""OpenAPI schema post-processing: every operation documents every status it can answer.

Views document their own responses; this hook adds the ones any endpoint can give, so that a
client generated from the schema handles them: 400 (a malformed body or parameter), 401 (no or an
invalid token), 403, 404, 429 (rate limited, with Retry-After), and for operations that take a
body 413 (too large) and 415 (not JSON, or not multipart where a file is uploaded). Each uses the
one error shape (docs/api-errors.md).
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "additionalProperties": True,
        }
    },
}

ALWAYS = {
    "400": "Invalid input: `error.fields` names each bad field, or the body or a parameter is malformed.",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object among those you may see (or an invalid page).",
    "429": "Too many requests: wait the seconds in Retry-After.",
}
WITH_BODY = {
    "413": "The request body is too large.",
    "415": "Unsupported body type: JSON, or multipart/form-data where a file is uploaded.",
}
METHODS = {"get", "put", "post", "patch", "delete"}


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            extra = dict(ALWAYS, **(WITH_BODY if "requestBody" in operation else {}))
            for status, description in extra.items():
                response = responses.setdefault(status, {"description": description})
                content = response.setdefault("content", {})
                if not content:
                    content["application/json"] = {"schema": reference}
    return result
