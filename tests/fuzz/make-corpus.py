#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/.

    python3 tests/fuzz/make-corpus.py [--sim build/src/sim/calsync-sim]

The seeds are the contract's examples (tests/data), the simulator's answers
when --sim is given (a small data set with every kind of problem), and
variants of both that each break one rule: a required field missing or
ill-typed, a row of another company, a time at the edge of the accepted
years, an escape json-glib cannot hold. The fuzzer finds the rest from
there; a few dozen small files per target are enough. Running it again
rewrites the files it owns (contract-*, sim-*, variant-*) and leaves
others, such as inputs added by hand, alone.
"""

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
CORPUS = os.path.join(HERE, "corpus")

# The cal-api-version of the bookings and /me; event types have their own.
BOOKINGS_API = "2024-08-13"

# Values that break a field's type or range, as JSON text.
BAD_VALUES = [
    "null", "0", "-1", '""', "[]", "{}", "true", "1.5", "1e400",
    "12345678901234567890", '"\\u0000"', '"\\ud800"', '"x"',
]

# Times at the edges of what is accepted, with offsets that cross a year.
EDGE_TIMES = [
    "1971-01-01T00:30:00+01:00", "1971-01-01T00:00:00Z", "9998-12-31T23:30:00-01:00",
    "9998-12-31T23:59:59.999999Z", "2026-03-29T02:30:00+02:00", "2026-11-23T08:00:00.1234567Z",
    "2026-11-23T08:00:00", "2026-11-23 08:00:00Z", "2026-02-30T08:00:00Z",
    "2026-11-23T08:00:00+14:00", "2026-11-23T08:00:00-23:59", "20261123T080000Z",
    "2026-W48-1T08:00:00Z", "2026-327T08:00:00Z", "2026-11-23T24:00:00Z",
    "2026-11-23T08:00:60Z", "+2026-11-23T08:00:00Z", "2026-11-23T08:00:00,5Z",
]


def dump(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load(*parts):
    with open(os.path.join(DATA, *parts), encoding="utf-8") as f:
        return json.load(f)


class Corpus:
    def __init__(self):
        self.files = {}

    def add(self, target, name, text):
        if isinstance(text, str):
            text = text.encode("utf-8")
        self.files.setdefault(target, {})[name] = text

    def write(self):
        owned = re.compile(r"^(contract|sim|variant)-")
        for target, files in sorted(self.files.items()):
            folder = os.path.join(CORPUS, target)
            os.makedirs(folder, exist_ok=True)
            for old in os.listdir(folder):
                if owned.match(old):
                    os.unlink(os.path.join(folder, old))
            for name, data in sorted(files.items()):
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(data)
            print(f"{target}: {len(files)} files")


def replace_member(text, member, value):
    """Replaces the first `"member": value` of a compact document."""
    key = f'"{member}":'
    start = text.find(key)
    if start < 0:
        return None
    pos = start + len(key)
    end = pos
    depth = 0
    in_string = False
    while end < len(text):
        c = text[end]
        if in_string:
            if c == "\\":
                end += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            if depth == 0:
                break
            depth -= 1
        elif c == "," and depth == 0:
            break
        end += 1
    return text[:pos] + value + text[end:]


def remove_member(document, path):
    doc = copy.deepcopy(document)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node.pop(path[-1], None)
    return doc


def field_variants(corpus, target, document, fields, prefix):
    """One file per field: missing, and a few bad values in turn."""
    text = dump(document)
    for i, (path, member) in enumerate(fields):
        corpus.add(target, f"variant-{prefix}-no-{member}.json", dump(remove_member(document, path)))
        bad = BAD_VALUES[i % len(BAD_VALUES)]
        changed = replace_member(text, member, bad)
        if changed is not None:
            corpus.add(target, f"variant-{prefix}-bad-{member}.json", changed)


def time_variants(corpus, target, document, member, prefix, count=6):
    text = dump(document)
    for i, time in enumerate(EDGE_TIMES[:count]):
        corpus.add(target, f"variant-{prefix}-time-{i}.json",
                   replace_member(text, member, json.dumps(time)))


def syntax_seeds(corpus):
    target = "json-syntax"
    seeds = [
        "{}", "[]", "null", "true", "0", "-0", "-1.5e-3", "1E+2", '""', '"\\u00e9\\ud83d\\ude00"',
        '"\\ud800"', '"\\u0000"', "12345678901234567890", "[1,2,[3,{\"a\":null}]]",
        "  {\"a\" : [ true , false ] }  ", "[" * 64 + "]" * 64, "[" * 65 + "]" * 65,
        "{\"a\":1,}", "[1,]", "01", "1.", ".5", "'x'", "/* c */ 1", "0x10", "[1] [2]",
        "\"a\tb\"", "{\"a\" 1}", "tru", "nul", "\"\\x\"", "\ufeff{}", "[\"\u00e9\"]",
    ]
    for i, seed in enumerate(seeds):
        corpus.add(target, f"variant-{i:02d}.json", seed)
    corpus.add(target, "variant-invalid-utf8.json", b'["\xc3\x28"]')
    corpus.add(target, "contract-bookings-page.json", dump(load("calcom", "bookings-page.json")))
    corpus.add(target, "contract-appointments-page.json",
               dump(load("backend", "appointments-page.json")))


def time_seeds(corpus):
    target = "time"
    seeds = EDGE_TIMES + [
        "2025-10-13T10:00:00+02:00", "2024-08-13T15:30:00.000Z", "2026-11-23T08:00:00.5+05:30",
        "2026-11-23T08:00:00.000001Z", "2026-11-23T08:00:00.9999995Z", "2038-01-19T03:14:08Z",
    ]
    for i, seed in enumerate(seeds):
        corpus.add(target, f"variant-{i:02d}.txt", seed)


def store_seeds(corpus):
    target = "store-json"
    attendees = [
        '[]', '[{"name":"Tom Klein","email":"tom@example.com","phone":"+49 1"}]',
        '[{"name":null,"email":null,"phone":null},{}]', '[{"name":"J\\u00fcrgen \\ud83d\\ude00"}]',
        '[{"name":"a\\"b\\\\c\\n\\t\\u001f"}]', ' [ { "name" : "x" , "other" : "y" } ] ',
        '[{"name":"\\ud800"}]', '[{"name":"\\u0000"}]', '[{"name":"x"}', '[{"name":nul}]',
    ]
    metadata = [
        '{}', '{"crm_appointment_id":"1236","crm_company_id":"3"}', '{"a":null,"b":"c"}',
        '{"k\\u00e9y":"v\\/al"}', '{"a":"1","a":"2"}', '{"a":1}', '{"a":"x"} x',
    ]
    diffs = [
        '[]', '[{"field":"start","local":"2025-10-13T08:00:00Z","calcom":"2025-10-13T07:45:00Z"}]',
        '[{"field":"status","local":"scheduled","calcom":"cancelled"},'
        '{"field":"booking_uid","local":"Gr\\u00fc\\u00dfe \\"q\\"","calcom":null}]',
        '[{"field":"colour","local":"red"},{"field":"end"}]', '[{"local":"x"}]',
        '[{"field":"end","local":"\\ud800"}]', '[{"field":"end"}', '[{"field":1}]',
    ]
    for i, seed in enumerate(diffs):
        corpus.add(target, f"variant-diff-{i:02d}.txt", "d" + seed)
    for i, seed in enumerate(attendees):
        corpus.add(target, f"variant-attendees-{i:02d}.txt", "a" + seed)
    for i, seed in enumerate(metadata):
        corpus.add(target, f"variant-metadata-{i:02d}.txt", "m" + seed)
    corpus.add(target, "variant-attendees-invalid-utf8.txt", b'a[{"name":"\xff"}]')


def contract_seeds(corpus):
    page = load("calcom", "bookings-page.json")
    booking = load("calcom", "booking-get.json")
    series = load("calcom", "booking-recurring-series.json")
    seated = load("calcom", "booking-seated-create.json")
    calcom_me = load("calcom", "me.json")
    calcom_error = load("calcom", "error-not-found.json")
    appointments = load("backend", "appointments-page.json")
    appointment = load("backend", "appointment.json")
    backend_me = load("backend", "me.json")
    backend_error = load("backend", "error-validation.json")

    corpus.add("calcom-bookings-page", "contract-bookings-page.json", dump(page))
    corpus.add("calcom-booking", "contract-booking-get.json", dump(booking))
    corpus.add("calcom-booking", "contract-booking-recurring-series.json", dump(series))
    corpus.add("calcom-booking", "contract-booking-seated-create.json", dump(seated))
    corpus.add("calcom-me", "contract-me.json", dump(calcom_me))
    corpus.add("calcom-error", "contract-error-not-found.json", dump(calcom_error))
    corpus.add("backend-appointments-page", "contract-appointments-page.json", dump(appointments))
    corpus.add("backend-appointment", "contract-appointment.json", dump(appointment))
    corpus.add("backend-me", "contract-me.json", dump(backend_me))
    corpus.add("backend-error", "contract-error-validation.json", dump(backend_error))

    # Cal.com: one booking of a page, and the single booking.
    one = copy.deepcopy(page)
    one["data"] = one["data"][:1]
    booking_fields = [
        (["data", 0, "uid"], "uid"), (["data", 0, "id"], "id"), (["data", 0, "start"], "start"),
        (["data", 0, "end"], "end"), (["data", 0, "status"], "status"),
        (["data", 0, "attendees"], "attendees"), (["data", 0, "metadata"], "metadata"),
        (["data", 0, "eventType"], "eventType"), (["pagination"], "pagination"),
        (["pagination", "totalItems"], "totalItems"),
    ]
    field_variants(corpus, "calcom-bookings-page", one, booking_fields, "page")
    time_variants(corpus, "calcom-bookings-page", one, "start", "page")
    text = dump(one)
    corpus.add("calcom-bookings-page", "variant-page-status-upper.json",
               replace_member(text, "status", '"ACCEPTED"'))
    corpus.add("calcom-bookings-page", "variant-page-error.json", dump(calcom_error))
    corpus.add("calcom-bookings-page", "variant-page-data-scalars.json",
               replace_member(text, "data", '[1,"x",null,[],{}]'))
    corpus.add("calcom-bookings-page", "variant-page-metadata-values.json",
               replace_member(text, "metadata",
                              '{"n":1236,"d":1.5,"b":true,"z":null,"big":1e300,"o":{}}'))

    single_fields = [
        (["data", "uid"], "uid"), (["data", "start"], "start"), (["data", "status"], "status"),
        (["data", "attendees"], "attendees"), (["data", "metadata"], "metadata"),
        (["status"], "status"), (["data"], "data"),
    ]
    field_variants(corpus, "calcom-booking", booking, single_fields, "booking")
    corpus.add("calcom-booking", "variant-series-empty.json",
               dump({"status": "success", "data": []}))
    corpus.add("calcom-booking", "variant-series-scalars.json",
               dump({"status": "success", "data": [1, None, series["data"][1]]}))
    corpus.add("calcom-booking", "variant-error.json", dump(calcom_error))

    field_variants(corpus, "calcom-me", calcom_me,
                   [(["data", "id"], "id"), (["data", "email"], "email"),
                    (["data", "timeZone"], "timeZone"), (["data", "username"], "username"),
                    (["data", "organizationId"], "organizationId"), (["data"], "data")], "me")

    errors = [
        {"status": "error", "error": {"code": "BadRequestException",
                                      "message": ["start must be a date", "attendee.email bad"]}},
        {"status": "error", "error": {"code": "BadRequestException",
                                      "message": "Bad Request Exception",
                                      "details": {"errors": [
                                          {"property": "attendee", "children": [
                                              {"property": "email", "constraints": {
                                                  "isEmail": "email must be an email"}}]},
                                          {"property": "start", "constraints": {
                                              "isISO8601": "start must be a valid ISO 8601"}}]}}},
        {"status": "error", "error": {"message": "  many\n\tspaces\u0007and control  " * 40}},
        {"status": "error", "error": {"message": 42}},
        {"status": "success", "data": {}},
        {"status": "error"},
    ]
    for i, error in enumerate(errors):
        corpus.add("calcom-error", f"variant-error-{i}.json", dump(error))

    event_type = {"status": "success", "data": {
        "id": 42, "lengthInMinutes": 30, "lengthInMinutesOptions": [30, 60, 90],
        "bookingFields": [{"slug": "name", "required": True}, {"slug": "email", "required": False}]}}
    corpus.add("calcom-event-type", "contract-event-type.json", dump(event_type))
    field_variants(corpus, "calcom-event-type", event_type,
                   [(["data", "id"], "id"), (["data", "lengthInMinutes"], "lengthInMinutes"),
                    (["data", "lengthInMinutesOptions"], "lengthInMinutesOptions"),
                    (["data", "bookingFields"], "bookingFields"), (["data"], "data")], "event")
    text = dump(event_type)
    corpus.add("calcom-event-type", "variant-event-options-bad.json",
               replace_member(text, "lengthInMinutesOptions", "[30,0,10081,1.5,\"60\"]"))

    # Backend: one row, another company's row, broken rows.
    one = copy.deepcopy(appointments)
    one["data"] = one["data"][:1]
    row_fields = [
        (["data", 0, "id"], "id"), (["data", 0, "company_id"], "company_id"),
        (["data", 0, "starts_at"], "starts_at"), (["data", 0, "ends_at"], "ends_at"),
        (["data", 0, "status"], "status"), (["data", 0, "number"], "number"),
        (["data", 0, "customer"], "customer"), (["data", 0, "sync"], "sync"),
        (["data", 0, "calcom_booking_uid"], "calcom_booking_uid"),
        (["meta"], "meta"), (["meta", "total"], "total"),
    ]
    field_variants(corpus, "backend-appointments-page", one, row_fields, "page")
    time_variants(corpus, "backend-appointments-page", one, "starts_at", "page")
    text = dump(one)
    corpus.add("backend-appointments-page", "variant-page-foreign.json",
               replace_member(text, "company_id", "4"))
    corpus.add("backend-appointments-page", "variant-page-number-int.json",
               replace_member(text, "number", "1236"))
    corpus.add("backend-appointments-page", "variant-page-sync-codes.json",
               replace_member(text, "sync", dump(appointments["data"][1]["sync"])))

    field_variants(corpus, "backend-appointment", appointment,
                   [(["data", "id"], "id"), (["data", "company_id"], "company_id"),
                    (["data", "starts_at"], "starts_at"), (["data", "status"], "status"),
                    (["data", "sync"], "sync"), (["data"], "data")], "appointment")
    corpus.add("backend-appointment", "variant-appointment-foreign.json",
               replace_member(dump(appointment), "company_id", "4"))

    field_variants(corpus, "backend-me", backend_me,
                   [(["data", "user", "id"], "id"), (["data", "user", "role"], "role"),
                    (["data", "company"], "company"), (["data", "user"], "user"),
                    (["data"], "data")], "me")
    corpus.add("backend-me", "variant-me-role-staff.json",
               replace_member(dump(backend_me), "role", '"staff"'))

    backend_errors = [
        {"message": "Unauthenticated.", "errors": {}},
        {"message": "x", "errors": {"a": "not a list", "b": [], "c": [1], "d": {"e": 1}}},
        {"message": "\u0000\u00e9 " * 200},
        {"message": None},
        {"data": {"updated": 3}}, {"data": {"updated": -1}}, {"data": {"updated": 2 ** 40}},
        {"data": {"accepted": 1}},
    ]
    for i, error in enumerate(backend_errors):
        corpus.add("backend-error", f"variant-error-{i}.json", dump(error))


def sim_seeds(corpus, sim):
    process = subprocess.Popen(
        [sim, "--appointments", "40", "--seed", "3", "--foreign", "0.2", "--recurring", "0.2",
         "--orphaned-calcom", "0.1"],
        stdout=subprocess.PIPE, text=True)
    try:
        info = {}
        for line in process.stdout:
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
            if key.startswith("Dataset"):
                break
        calcom = info["Cal.com base URL"]
        backend = info["Backend base URL"]

        def get(url, token, calcom_api=None, fail_ok=False):
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            if calcom_api:
                request.add_header("cal-api-version", calcom_api)
            try:
                with urllib.request.urlopen(request) as answer:
                    return answer.read()
            except urllib.error.HTTPError as error:
                if not fail_ok:
                    raise
                return error.read()

        key = info["Cal.com API key"]
        token = info["Backend token"]
        for i, skip in enumerate((0, 3, 6)):
            page = get(f"{calcom}/bookings?take=3&skip={skip}", key, BOOKINGS_API)
            corpus.add("calcom-bookings-page", f"sim-bookings-page-{i}.json", page)
            for j, item in enumerate(json.loads(page)["data"][:1]):
                single = get(f"{calcom}/bookings/{item['uid']}", key, BOOKINGS_API)
                corpus.add("calcom-booking", f"sim-booking-{i}-{j}.json", single)
        corpus.add("calcom-me", "sim-me.json", get(f"{calcom}/me", key, BOOKINGS_API))
        corpus.add("calcom-error", "sim-error-unauthorized.json",
                   get(f"{calcom}/me", "wrong", BOOKINGS_API, fail_ok=True))
        corpus.add("calcom-error", "sim-error-not-found.json",
                   get(f"{calcom}/bookings/nope", key, BOOKINGS_API, fail_ok=True))
        for event_type in (43, 44):
            corpus.add("calcom-event-type", f"sim-event-type-{event_type}.json",
                       get(f"{calcom}/event-types/{event_type}", key, "2024-06-14"))
        for i in range(1, 4):
            page = get(f"{backend}/api/v1/appointments?per_page=3&page={i * 4}", token)
            corpus.add("backend-appointments-page", f"sim-appointments-page-{i}.json", page)
        corpus.add("backend-appointment", "sim-appointment.json",
                   get(f"{backend}/api/v1/appointments/1000", token))
        corpus.add("backend-me", "sim-me.json", get(f"{backend}/api/v1/me", token))
        corpus.add("backend-error", "sim-error-unauthenticated.json",
                   get(f"{backend}/api/v1/me", "wrong", fail_ok=True))
        corpus.add("backend-error", "sim-error-not-found.json",
                   get(f"{backend}/api/v1/appointments/1", token, fail_ok=True))
    finally:
        process.terminate()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim", help="the calsync-sim program, for its answers as seeds")
    args = parser.parse_args()

    corpus = Corpus()
    contract_seeds(corpus)
    syntax_seeds(corpus)
    time_seeds(corpus)
    store_seeds(corpus)
    if args.sim:
        sim_seeds(corpus, args.sim)
    corpus.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
