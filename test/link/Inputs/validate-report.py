"""Parses allocsel-link's JSON or SARIF output and checks its structure.

usage: validate-report.py json|sarif FILE EXPECTED_EXIT_CODE
Prints one line per finding: "NAME FILE:LINE:COLUMN ARTIFACT".
"""
import json
import sys

kind, path, expected_exit = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(path))


def need(cond, what):
    if not cond:
        sys.exit(f"{kind} report invalid: {what}")


if kind == "json":
    need(doc["tool"] == "allocsel-link", "tool")
    need(isinstance(doc["inputs"], list) and doc["inputs"], "inputs")
    need(doc["exit_code"] == expected_exit, f"exit_code {doc['exit_code']}")
    for f in doc["findings"]:
        need(f["name"].startswith("allocsel-"), "finding name")
        need(f["level"] == "error", "level")
        need(isinstance(f["message"], str) and f["message"], "message")
        for n in f["notes"]:
            need(isinstance(n["message"], str), "note message")
        loc = f.get("location")
        where = f"{loc['file']}:{loc['line']}:{loc['column']}" if loc else "-"
        print(f["name"], where, f["artifact"])
else:
    # The parts of SARIF 2.1.0 that viewers (GitHub code scanning, VS Code)
    # require.
    need(doc["version"] == "2.1.0", "version")
    need(doc["$schema"].endswith("sarif-2.1.0.json"), "$schema")
    need(len(doc["runs"]) == 1, "one run")
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    need(driver["name"] == "allocsel-link", "driver name")
    rules = {r["id"] for r in driver["rules"]}
    for r in run["results"]:
        need(r["ruleId"] in rules, f"ruleId {r['ruleId']} not among the rules")
        need(r["level"] in ("error", "warning", "note", "none"), "level")
        need(r["message"]["text"].endswith(f"[{r['ruleId']}]"), "message text")
        for loc in r["locations"] + r.get("relatedLocations", []):
            phys = loc["physicalLocation"]
            need(phys["artifactLocation"]["uri"], "uri")
            if "region" in phys:
                need(phys["region"]["startLine"] >= 1, "startLine")
                need(phys["region"]["startColumn"] >= 1, "startColumn")
        phys = r["locations"][0]["physicalLocation"]
        reg = phys.get("region")
        where = f"{phys['artifactLocation']['uri']}:{reg['startLine']}:{reg['startColumn']}" if reg else phys['artifactLocation']['uri']
        print(r["ruleId"], where, len(r.get("relatedLocations", [])))
