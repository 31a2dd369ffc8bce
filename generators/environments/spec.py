"""What every input format is read into: the operations of one service with typed parameters and returns."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

JsonType = Literal["string", "integer", "number", "boolean", "array", "object"]
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Shape(BaseModel):
    """A JSON value's type; arrays name their item type, objects their fields (when known)."""

    type: JsonType = "string"
    items: Shape | None = None
    fields: dict[str, Shape] = Field(default_factory=dict)
    enum: list[Any] | None = None
    format: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    description: str = ""


class Param(BaseModel):
    """One parameter of an operation."""

    name: str
    shape: Shape = Field(default_factory=Shape)
    required: bool = False
    default: Any = None

    @field_validator("name")
    @classmethod
    def _identifier(cls, name: str) -> str:
        if not IDENTIFIER.match(name):
            raise ValueError(f"parameter name {name!r} is not a Python identifier (readers normalize such names "
                             "with normalize_name; camelCase is kept)")
        return name


class Operation(BaseModel):
    """One tool: its name as the service offers it (the module may use another Python name and keep this one with
    ``@tool(name=...)``), what it says it does, its parameters and what it returns."""

    name: str
    description: str = ""
    params: list[Param] = Field(default_factory=list)
    returns: Shape = Field(default_factory=lambda: Shape(type="object"))
    #: Hints from the source, when it has them: an HTTP method and path (OpenAPI), or MCP annotations such as
    #: ``readOnlyHint`` / ``destructiveHint``.
    method: str | None = None
    path: str | None = None
    read_only: bool | None = None

    @field_validator("name")
    @classmethod
    def _tool_name(cls, name: str) -> str:
        if not TOOL_NAME.match(name):
            raise ValueError(f"operation name {name!r} is not a tool name ([A-Za-z0-9_-], at most 64 characters)")
        return name


class ApiSpec(BaseModel):
    """A service: its environment name (a class name), domain, description and operations."""

    name: str
    domain: str = "Utilities"
    description: str = ""
    operations: list[Operation]
    #: Where it came from, for messages and the module docstring ("reference", "mcp", "openapi").
    source: str = ""

    @field_validator("name")
    @classmethod
    def _class_name(cls, name: str) -> str:
        if not re.match(r"^[A-Z][A-Za-z0-9]*$", name):
            raise ValueError(f"environment name {name!r} must be a CamelCase class name")
        return name


def normalize_name(text: str) -> str:
    """A snake_case Python identifier for an operation or parameter name from any source."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return text if text and not text[0].isdigit() else f"x_{text}"


def class_name(text: str) -> str:
    """A CamelCase class name from any service name."""
    words = re.split(r"[^A-Za-z0-9]+", text)
    name = "".join(w[:1].upper() + w[1:] for w in words if w)
    return name if name and name[0].isalpha() else f"Api{name}"
