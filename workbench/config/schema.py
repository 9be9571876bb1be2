"""The run config's keys and types: one pydantic schema, checked on load, listed for the reference page.

pydantic (v2) rather than msgspec: the config is a few dozen keys read once, so speed does not
matter, while pydantic's strict mode refuses ``"false"`` for a boolean and ``5`` for a text,
its errors carry the key path, and its models can be walked to write the reference page
(``reference()``). Connector settings tables ([crm.salesforce], [erp.business_central], ...)
and [rules.*] are checked by the connector and by ``workbench.reconcile.rules`` when they are
used; here they only have to be tables.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo

from workbench.config.connector_settings import CONNECTOR_SETTINGS
from workbench.model.records import KINDS
from workbench.model.secrets import is_secret_key

API_CONNECTORS = ("salesforce", "business_central", "odoo", "rest")
CONNECTORS = ("files", *API_CONNECTORS)


def _iso_date(v: object) -> date:
    # TOML's date-time is a date subclass; as_of is a day, and a time (with a zone) would be compared with dates.
    if isinstance(v, date) and not isinstance(v, datetime):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            pass
    raise ValueError("expected a date YYYY-MM-DD")


def _one_char(v: object) -> str:
    # A line break, the quote character or a letter or digit cannot separate cells: the CSV reader then
    # failed with an internal error ("\n") or read every row wrong ('"', ".", "0").
    if isinstance(v, str) and len(v) == 1 and v.isascii() and not (v in "\r\n\"" or v.isalnum()):
        return v
    raise ValueError('expected one character in quotes (ASCII), such as "," or ";" or "\\t", other than a line '
                     "break, the quote character, a letter or a digit")


def _names(v: object) -> str | list[str]:
    if isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
        return v
    raise ValueError('expected a column name in quotes, or a list of them like ["Total", "Amount"]')


def _decimal_comma(v: object) -> bool | list[str]:
    if isinstance(v, bool) or (isinstance(v, list) and all(isinstance(x, str) for x in v)):
        return v
    raise ValueError('expected true, false (without quotes) or a list of columns like ["Betrag"]')


# A period as the close names it (workbench/close/periods.py checks names by it): a month, a quarter, a year.
PERIOD_NAME = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$|^\d{4}-Q[1-4]$|^\d{4}$")


def _period(v: object) -> str:
    if isinstance(v, str) and PERIOD_NAME.match(v):
        return v
    raise ValueError("expected YYYY-MM with a month 01 to 12 (e.g. \"2026-10\"), YYYY-Qn or YYYY")


def _named(what: str) -> PlainValidator:
    def check(v: object) -> str:
        if not isinstance(v, str):
            raise ValueError(_FRIENDLY["string_type"])
        if v.strip():
            return v
        raise ValueError(f"expected {what} in quotes, not an empty text (leave the key out for the default)")
    return PlainValidator(check)


IsoDate = Annotated[date, PlainValidator(_iso_date)]
PeriodName = Annotated[str, PlainValidator(_period)]
FileName = Annotated[str, _named("the extract's file name (.csv or .xlsx)")]
SheetName = Annotated[str, _named("the worksheet's name")]
CodecName = Annotated[str, _named("a codec name such as cp1252")]
DateFormat = Annotated[str, _named("a strptime format such as %d.%m.%Y")]
OneChar = Annotated[str, PlainValidator(_one_char)]
ColumnNames = Annotated[str | list[str], PlainValidator(_names)]
DecimalComma = Annotated[bool | list[str], PlainValidator(_decimal_comma)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


DEFAULT_OVERLAP_MINUTES = 5


class RunTable(_Table):
    name: str | None = Field(None, description="shown in summaries and the workbook; default: the config's file name")
    as_of: IsoDate | None = Field(None, description="balances and overdue status are judged as of this date; "
                                                    "default: today")
    period: PeriodName | None = Field(None, description="the accounting period: YYYY-MM (e.g. \"2026-10\"), YYYY-Qn "
                                                         "or YYYY")
    incremental: bool = Field(True, description="a re-run of this config pulls only what changed since the "
                                                "last run (false: always pull everything)")
    overlap_minutes: int = Field(DEFAULT_OVERLAP_MINUTES, ge=0, le=1440,
                                 description="how many minutes before the last run's start a re-run asks for "
                                             "changes: above the longest posting batch or import the systems run "
                                             "(a record is stamped when its transaction starts, seen when it "
                                             "commits)")


class FilesTable(_Table):
    dir: str = Field(".", description="the folder holding the extracts, relative to the config file")


class Reference(_Table):
    column: ColumnNames = Field(description="the column (or alternatives) naming the other record")
    by: str = Field(description="what the value is: id, number, code or name of the other record")
    pattern: str | None = Field(None, description="a regex whose first group is the value to look up")


class FileObject(_Table):
    file: FileName | None = Field(None, description="the extract's file name (.csv or .xlsx); default: the system's")
    sheet: SheetName | None = Field(None, description="the worksheet of an .xlsx file; default: the first")
    delimiter: OneChar | None = Field(None, description="the CSV delimiter; default: the one a first line sep=; "
                                                        "names, else sniffed from the header")
    encoding: CodecName | None = Field(None, description="a Python codec name such as cp1252; default: UTF-8")
    date_format: DateFormat | None = Field(None, description="strptime format of the dates; default: %Y-%m-%d")
    decimal_comma: DecimalComma = Field(False, description="true when amounts are written 1.234,56, or the "
                                                           "list of columns written so")
    fields: dict[str, ColumnNames] = Field(default_factory=dict, description="canonical field = column, only "
                                                                             "what differs from the defaults; "
                                                                             "\"\" when the file has none")
    status_fields: list[str] | None = Field(None, description="the column(s) holding the invoice status")
    status_system: str | None = Field(None, description="the built-in status table to start from")
    status_map: dict[str, str] = Field(default_factory=dict, description="status as exported = canonical "
                                                                         "status, over the built-in table")
    booked_values: list[str] | None = Field(None, description="order statuses that count as booked")
    key: list[str] | None = Field(None, description="columns whose values joined by \"|\" are the record id")
    references: dict[str, Reference] = Field(default_factory=dict, description="a field naming another record")
    patterns: dict[str, str] = Field(default_factory=dict, description="canonical field = regex whose first "
                                                                       "group is the value")
    empty_as_zero: list[str] = Field(default_factory=list, description="columns where an empty cell means 0")
    date_formats: dict[str, ColumnNames] = Field(default_factory=dict, description="column = strptime format "
                                                                                   "(or formats)")
    keep: dict[str, list[str]] = Field(default_factory=dict, description="column = the values a row must hold "
                                                                         "to be used")
    labels: dict[str, dict[str, str]] = Field(default_factory=dict, description="canonical field = { label as "
                                                                                "exported = value }")
    fill_empty: dict[str, str] = Field(default_factory=dict, description="column = the value an empty cell "
                                                                         "stands for")


class ApiObject(BaseModel):
    """An object of an API connector; its own settings (where, domain, ...) are the connector's."""

    model_config = ConfigDict(extra="allow", strict=True)

    object: str | None = Field(None, description="the API object / entity / model to read")
    enabled: bool = Field(True, description="false: this kind is not pulled")
    fields: dict[str, str] = Field(default_factory=dict, description="canonical field = API field")
    status_fields: list[str] | None = Field(None, description="the field(s) holding the invoice status")
    status_system: str | None = Field(None, description="the built-in status table to start from")
    status_map: dict[str, str] = Field(default_factory=dict, description="status = canonical status")


FileKind = Literal[KINDS]  # type: ignore[valid-type]  # the record kinds, from one tuple


class _SideTables(_Table):
    """What a side holds whichever connector it uses: a side may keep another connector's settings."""

    system: str | None = Field(None, description="the system behind the connector (default columns, status "
                                                 "table); files default: generic files")
    files: FilesTable = Field(FilesTable.model_validate({}), description="where the extracts are (files connector)")
    salesforce: dict[str, Any] | None = Field(None, description="connector settings (README: Salesforce)")
    business_central: dict[str, Any] | None = Field(None, description="connector settings (README: Business "
                                                                      "Central)")
    odoo: dict[str, Any] | None = Field(None, description="connector settings (README: Odoo)")
    rest: dict[str, Any] | None = Field(None, description="connector settings (README: REST profiles)")

    @field_validator("salesforce", "business_central", "odoo")
    @classmethod
    def _known_settings(cls, table: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        """A key the connector does not read is refused: a typo (``bulk_treshold``) was ignored, and the run went on
        with the default. ``<secret>_env`` keys name environment variables; a secret itself is refused apart
        (secrets.refuse_in_config). A REST profile's table is the profile's own, so not checked here."""
        if not table:
            return table
        known = [key for key, _default, _meaning in CONNECTOR_SETTINGS[str(info.field_name)][1]]
        unknown = [k for k in table if k not in known and not k.endswith("_env") and not is_secret_key(k)]
        if unknown:
            near = difflib.get_close_matches(unknown[0], known, n=1)
            raise ValueError(f"unknown setting {unknown[0]!r}{f'; did you mean {near[0]!r}?' if near else ''} "
                             f"(expected one of {', '.join(sorted(known))}, or a <secret>_env key)")
        return table


class FilesSide(_SideTables):
    connector: Literal["files"] = Field(description="files | salesforce | business_central | odoo | rest")
    objects: dict[FileKind, FileObject] = Field(default_factory=dict, description="one table per record kind")


class ApiSide(_SideTables):
    connector: Literal["salesforce", "business_central", "odoo", "rest"] = Field(
        description="files | salesforce | business_central | odoo | rest")
    objects: dict[str, ApiObject] = Field(default_factory=dict, description="one table per record kind")


Side = Annotated[FilesSide | ApiSide, Field(discriminator="connector")]


class Schema(_Table):
    run: RunTable = Field(RunTable.model_validate({}), description="the run's name and as-of date")
    crm: Side = Field(description="the CRM side: which source and how its fields map")
    erp: Side = Field(description="the ERP side: which source and how its fields map")
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict, description="tolerances, linking, ownership "
                                                                                "(README: [rules] reference)")


SIDE_MODELS: dict[str, type[BaseModel]] = {"files": FilesSide, **dict.fromkeys(API_CONNECTORS, ApiSide)}
_FRIENDLY = {
    "bool_type": "expected true or false (without quotes)",
    "string_type": "expected a text in quotes",
    "int_type": "expected a whole number",
    "list_type": "expected a list like [\"a\", \"b\"]",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "missing": "required, but missing",
}


def validate(raw: dict[str, Any]) -> str | None:
    """None when ``raw`` fits the schema, else one line naming the first wrong key and what was expected."""
    try:
        Schema.model_validate(raw)
    except ValidationError as exc:
        return describe_error(exc.errors()[0])
    return None


def describe_error(err: Any) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        got = "" if kind == "union_tag_not_found" else f" = {err['input'].get('connector')!r}"
        return f"[{loc[0]}] connector{got}: expected one of {', '.join(CONNECTORS)}"
    path = _key_path(loc)
    if kind == "extra_forbidden":
        allowed = sorted(_allowed_keys(loc[:-1]))
        return f"unknown key {path}; expected one of {', '.join(allowed)}"
    if loc[-1] == "[key]" and len(loc) > 2 and loc[-3] == "objects":
        return f"[{_key_path(loc[:-1])}] is not a record kind; expected one of {', '.join(KINDS)}"
    if kind == "value_error":
        what = str(err["msg"]).removeprefix("Value error, ")
    else:
        what = _FRIENDLY.get(kind) or f"expected {err['msg'][0].lower()}{err['msg'][1:]}"
    shown = "" if kind == "missing" else f" = {_shown(err.get('input'))}"
    return f"{path}{shown}: {what}"


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a table"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key_path(loc: tuple[Any, ...]) -> str:
    """('erp', 'files', 'objects', 'invoices', 'decimal_comma') -> erp.objects.invoices.decimal_comma"""
    parts = [str(loc[0])]
    rest = list(loc[1:])
    if parts[0] in ("crm", "erp") and rest and rest[0] in CONNECTORS:
        rest = rest[1:]  # the discriminator's tag, not a key
    for p in rest:
        parts.append(f"[{p}]" if isinstance(p, int) else str(p))
    return ".".join(parts).replace(".[", "[")


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Schema
    steps = list(loc)
    while steps:
        step = steps.pop(0)
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(step))
            if field is None:
                return []
            model = _inner(field.annotation)
            if model is FilesSide or model is ApiSide or _is_side(field):
                model = SIDE_MODELS.get(str(steps.pop(0)), ApiSide) if steps else ApiSide
        elif typing.get_origin(model) is dict:
            model = _inner(typing.get_args(model)[1])
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _is_side(field: FieldInfo) -> bool:
    return field.annotation is not None and FilesSide in _members(field.annotation)


def _members(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (Union, types.UnionType):
        return typing.get_args(tp)
    return (tp,)


def _inner(tp: Any) -> Any:
    """The model or dict type a field holds, without Optional and Annotated wrappers."""
    members = [m for m in _members(tp) if m is not type(None)]
    return members[0] if len(members) == 1 else tp


@dataclass(frozen=True)
class Key:
    path: str
    type: str
    default: object
    description: str


def reference() -> Iterator[Key]:
    """Every key of the run config, as (path, type, default, description), for the reference page."""
    yield from _walk(Schema, "")


def _walk(model: type[BaseModel], prefix: str) -> Iterator[Key]:
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        if _is_side(field):
            for connector, side in (("files", FilesSide), ("API connectors", ApiSide)):
                yield Key(path, f"table ({connector})", None, field.description or "")
                yield from _walk(side, f"{path}.")
            continue
        inner = _inner(field.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield Key(path, "table", None, field.description or "")
            yield from _walk(inner, f"{path}.")
        elif typing.get_origin(inner) is dict and _is_model(typing.get_args(inner)[1]):
            value = _inner(typing.get_args(inner)[1])
            key_name = "<kind>" if name == "objects" else "<field>"
            yield Key(f"{path}.{key_name}", "table", None, field.description or "")
            yield from _walk(value, f"{path}.{key_name}.")
        else:
            default = None if field.is_required() else field.get_default(call_default_factory=True)
            yield Key(path, _type_name(field.annotation), default, field.description or "")


def _is_model(tp: Any) -> bool:
    inner = _inner(tp)
    return isinstance(inner, type) and issubclass(inner, BaseModel)


def _type_name(tp: Any) -> str:
    members = [m for m in _members(tp) if m is not type(None)]
    if len(members) > 1:
        return " | ".join(_type_name(m) for m in members)
    tp = members[0]
    if typing.get_origin(tp) is Annotated:
        return _type_name(typing.get_args(tp)[0])
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in typing.get_args(tp))
    if origin is list:
        return f"list of {_type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"table of {_type_name(typing.get_args(tp)[1])}"
    names: dict[Any, str] = {str: "text", bool: "boolean", int: "integer", date: "date", Any: "any"}
    return names.get(tp, getattr(tp, "__name__", str(tp)))
