"""OpenAPI post-processing: every operation documents the error answers it can give, in the one format.

drf-spectacular documents only the success codes; a client (and the schemathesis run in the test suite,
tests/test_schemathesis.py) must know that 400/401/403/404 are
part of the contract, all as ``{"error": {"code", "message", "fields"?}}`` (api/errors.py).
"""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
ERRORS = {
    "400": "Неверные данные: в fields — что именно не так",
    "401": "Требуется вход (сессия или заголовок Authorization: Token …)",
    "403": "Нет доступа: роль, чужая школа или школа в архиве",
    "404": "Не найдено: объект по id (в адресе или в теле запроса) или страница списка",
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": content})
    return result
