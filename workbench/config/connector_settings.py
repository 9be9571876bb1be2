"""The settings of each connector's table ([crm.salesforce], [erp.business_central], [erp.odoo], ...): the keys
a config may hold there, with their defaults and meaning. The connectors read them without declaring them, so they
are kept here: the config schema refuses a key not listed (a typo such as ``bulk_treshold`` was ignored), the
configuration reference lists them, and a test checks that every one is read by its connector."""

from __future__ import annotations

# (key, default, meaning); a default of "" means none
Setting = tuple[str, str, str]

# [<side>.<connector>] tables; the modules are where the test looks for each key being read
CONNECTOR_SETTINGS: dict[str, tuple[tuple[str, ...], list[Setting]]] = {
    "salesforce": (("salesforce", "salesforce_auth", "salesforce_client", "salesforce_mapping"), [
        ("auth", "jwt", "`jwt` \\| `client_credentials` \\| `session` \\| `password` (legacy: Salesforce retires it)"),
        ("login_url", "", "the org's My Domain URL, e.g. `https://acme.my.salesforce.com`"),
        ("domain", "login", "instead of `login_url`: `login`, `test` or `acme.my`"),
        ("instance_url", "", "with `auth = \"session\"`: the org's instance URL"),
        ("api_version", "59.0", "REST API version, pinned; the connection test compares it with the org's"),
        ("username", "", "the integration user (`jwt`, `password`)"),
        ("consumer_key", "", "the connected app's consumer key (`jwt`, `client_credentials`)"),
        ("private_key_file", "", "path to the JWT signing key; the key itself never goes in the config"),
        ("jwt_audience", "login.salesforce.com, or test. for sandboxes", "the JWT `aud` claim"),
        ("ca_bundle", "", "CA file, only when a TLS-inspecting proxy re-signs traffic"),
        ("timeout_seconds", "60", "timeout of every call"),
        ("max_attempts", "5", "attempts for a call that fails for a passing reason"),
        ("retry_wait_seconds", "1", "first wait between attempts, doubling"),
        ("batch_size", "", "REST query page size, 200-2000"),
        ("bulk_threshold", "10000", "from this many records on, queries use Bulk API 2.0"),
        ("bulk_page_records", "50000", "records per Bulk API 2.0 result page"),
        ("bulk_poll_seconds", "1", "how often a Bulk API job is polled"),
        ("query_mode", "auto", "`auto` \\| `rest` \\| `bulk`"),
        ("invoice_object", "blng__Invoice__c", "`blng__Invoice__c`, `Invoice` (standard) or your custom object"),
        ("max_api_share", "0.5", "a push may use at most this share of today's remaining API requests"),
        ("keyring_user", "", "keyring entries are `<keyring_user>.<secret>` instead of `crm.salesforce.<secret>`"),
    ]),
    "business_central": (("business_central",), [
        ("tenant", "", "required: the Entra ID tenant (name or GUID)"),
        ("environment", "", "required: e.g. `production`"),
        ("company", "", "required: the company's name or id (GUID)"),
        ("client_id", "", "required: the Entra ID app registration"),
        ("base_url", "https://api.businesscentral.dynamics.com", "API host"),
        ("token_url", "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token", "OAuth token endpoint"),
        ("scope", "https://api.businesscentral.dynamics.com/.default", "OAuth scope"),
        ("page_size", "20000", "`Prefer: odata.maxpagesize`, 1-20000"),
        ("timeout", "60", "seconds per request"),
        ("retries", "5", "attempts on 429, 5xx and timeouts"),
        ("backoff", "0.5", "first retry wait in seconds (exponential, with jitter)"),
        ("max_backoff", "60", "longest retry wait in seconds"),
        ("max_connections", "4", "parallel HTTP connections"),
        ("keyring_user", "", "keyring entries are `<keyring_user>.<secret>`"),
    ]),
    "odoo": (("odoo",), [
        ("url", "", "required: the Odoo server, e.g. `https://acme.odoo.com`"),
        ("database", "", "required: the database name"),
        ("api", "auto", "`json2` (Odoo 19+) \\| `jsonrpc` (older) \\| `auto`: ask `/web/version` (an incremental "
                        "re-run speaks the API the previous run found at the same `url`, and asks only if that "
                        "answers 404)"),
        ("login", "", "the user's login, needed for `jsonrpc`"),
        ("page_size", "2000", "records per `search_read`"),
        ("timeout", "60", "seconds per request"),
        ("retries", "5", "attempts on 429, 5xx and timeouts"),
        ("backoff", "0.5", "first retry wait in seconds"),
        ("max_backoff", "60", "longest retry wait in seconds"),
        ("max_connections", "4", "parallel HTTP connections"),
        ("keyring_user", "", "keyring entries are `<keyring_user>.<secret>`"),
    ]),
    "rest": (("rest_profile",), [
        ("profile", "", "required: a shipped profile (`erpnext`, `netsuite`) or a path to your own `.toml`"),
        ("base_url", "the profile's", "the API's base URL"),
        ("username", "the profile's", "for `basic` auth"),
        ("page_size", "the profile's, else 100", "records per page"),
        ("timeout", "the profile's, else 60", "seconds per request"),
        ("retries", "the profile's, else 5", "attempts on 429, 5xx and timeouts"),
        ("backoff", "the profile's, else 0.5", "first retry wait in seconds"),
        ("max_backoff", "60", "longest retry wait in seconds"),
        ("max_connections", "4", "parallel HTTP connections"),
        ("keyring_user", "", "keyring entries are `<keyring_user>.<secret>`"),
    ]),
    "files": (("files",), [
        ("dir", ".", "the folder holding the extracts, relative to the config file"),
    ]),
}
