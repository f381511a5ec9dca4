"""The OpenAPI schema at /api/v1/schema/: the token scheme, and the refusals every operation
can answer (CONTRACT 6: `{"errors": {field: [messages]}}`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "gtm_portal.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`; tokens are scoped (intake, orders, read).",
        }


ERRORS_SCHEMA = {
    "type": "object",
    "description": 'CONTRACT 6: every refusal — {"errors": {field: [messages]}}; '
    '"detail" when no field is to blame.',
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
    "required": ["errors"],
}
BUSY_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

# status: (description, which operations answer it)
REFUSALS = {
    "400": ("Bad input: the fields named, nothing written.", "always"),
    "401": ("No credentials, or a token that is unknown or revoked.", "always"),
    "403": ("The token's scope (or the user) may not call this operation.", "always"),
    "404": ("No record with this id.", "with_path_id"),
    "409": ("The same key was sent before with a different body.", "writes"),
    "429": ("The token's rate limit per minute is used up; see Retry-After.", "always"),
    "503": ("The database is busy; nothing written, retry (Retry-After).", "always"),
}


def add_refusals(result, generator, request, public):
    """POSTPROCESSING_HOOK: each operation lists the refusals it can answer, with their
    bodies, beside its success answer."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Errors"] = ERRORS_SCHEMA
    schemas["Busy"] = BUSY_SCHEMA
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code, (description, when) in REFUSALS.items():
                if when == "with_path_id" and "{" not in path:
                    continue
                if when == "writes" and method not in ("post", "put", "patch"):
                    continue
                body = "Busy" if code == "503" else "Errors"
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                        },
                    },
                )
    return result
