"""Canonical model: records, Money, currencies, status vocabularies, Salesforce ids."""

from workbench.model.money import Money, parse_decimal, quantize
from workbench.model.status import InvoiceStatus, StatusMap
from workbench.model.ids import to_18, InvalidSalesforceId
from workbench.model import secrets  # installs the secret mask in errors and logging

__all__ = ["Money", "parse_decimal", "quantize", "InvoiceStatus", "StatusMap", "to_18", "InvalidSalesforceId",
           "secrets"]
