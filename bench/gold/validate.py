#!/usr/bin/env python3
"""Check the gold-set annotations against their articles (standard library only).

Usage: python3 bench/gold/validate.py [FILES...]

FILES may be .json or .txt files of the gold set (either one of a pair selects the pair);
with no arguments every NN-*.json in this folder is checked. For each article it reports:

* JSON that does not have the agreed shape (see README.md);
* quote or sentence texts that are not exact substrings of the body (body = everything
  after the headline line);
* quotes listed out of body order, sentences listed out of order or overlapping;
* sentences that span a line break;
* surface forms that do not occur in the body, speakers missing from their surface forms;
* body text (ignoring whitespace and bullet markers) not covered by any sentence.

Warnings (do not fail the run): direct quotes not found between quotation marks,
reported quotes that look like direct ones, files the app's importer would change.
Exit code 1 when there is any error, else 0.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = re.compile(r"^\d\d-[a-z0-9-]+$")
OPENING_MARKS = "“\"‘'"
CLOSING_MARKS = "”\"’'"
BULLET = re.compile(r"^[ \t]*(?:[-*•–]|\d+[.)])[ \t]+")
QUOTE_KEYS = {"text", "kind", "speaker", "surface_forms"}
SENTENCE_KEYS = {"text", "checkworthy"}


def body_of(text: str) -> str:
    """Everything after the headline line."""
    return text.partition("\n")[2]


def short(text: str, width: int = 70) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def occurrences(haystack: str, needle: str) -> list[int]:
    found, start = [], 0
    while needle:
        index = haystack.find(needle, start)
        if index < 0:
            break
        found.append(index)
        start = index + 1
    return found


class Report:
    def __init__(self, name: str):
        self.name = name
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def check_importer_stability(raw: str, report: Report) -> None:
    """The app normalises text on import; if it would change the body, offsets drift."""
    if raw.startswith("\ufeff"):
        report.warn("file starts with a BOM")
    if unicodedata.normalize("NFC", raw) != raw:
        report.warn("text is not NFC-normalised")
    if "\r" in raw:
        report.warn("file has \\r line endings")
    if "\u00a0" in raw:
        report.warn("file contains non-breaking spaces (the importer turns them into spaces)")
    for number, line in enumerate(raw.split("\n"), start=1):
        if line != line.rstrip():
            report.warn(f"line {number} has trailing whitespace")
    if re.search(r"\n{3,}", raw):
        report.warn("more than one blank line in a row")


def check_quotes(quotes, body: str, report: Report) -> dict:
    counts = {"direct": 0, "reported": 0}
    if not isinstance(quotes, list):
        report.error('"quotes" must be a list')
        return counts
    last_start = -1
    for number, quote in enumerate(quotes, start=1):
        where = f"quote {number}"
        if not isinstance(quote, dict):
            report.error(f"{where}: not an object")
            continue
        keys = set(quote)
        if keys != QUOTE_KEYS:
            report.error(f"{where}: keys {sorted(keys)} should be {sorted(QUOTE_KEYS)}")
        text, kind = quote.get("text"), quote.get("kind")
        speaker, forms = quote.get("speaker"), quote.get("surface_forms")
        if kind not in counts:
            report.error(f'{where}: kind {kind!r} should be "direct" or "reported"')
        else:
            counts[kind] += 1
        if not isinstance(text, str) or not text.strip():
            report.error(f"{where}: empty or missing text")
            continue
        where = f"quote {number} {short(text, 50)!r}"
        if text != text.strip():
            report.error(f"{where}: leading or trailing whitespace")
        positions = occurrences(body, text)
        if not positions:
            report.error(f"{where}: not an exact substring of the body")
        else:
            later = [p for p in positions if p > last_start]
            if not later:
                report.error(f"{where}: listed out of body order")
            else:
                last_start = later[0]
            if kind == "direct":
                if text[0] in OPENING_MARKS and text[-1] in CLOSING_MARKS:
                    report.error(f"{where}: direct quote text should not include its quotation marks")
                marked = any(
                    p > 0 and body[p - 1] in OPENING_MARKS
                    and (p + len(text) >= len(body) or body[p + len(text)] in CLOSING_MARKS + "\n")
                    for p in positions
                )
                if not marked:
                    report.warn(f"{where}: direct quote is not found between quotation marks")
            elif kind == "reported":
                if text.endswith("."):
                    report.warn(f"{where}: reported text should not include the final period")
                if text.lower().startswith("that "):
                    report.warn(f'{where}: reported text should not start with "that"')
                if all(p > 0 and body[p - 1] in OPENING_MARKS for p in positions):
                    report.warn(f"{where}: reported quote sits right after a quotation mark")
        if not isinstance(speaker, str) or not speaker.strip():
            report.error(f"{where}: empty or missing speaker")
        if not isinstance(forms, list) or not forms or not all(isinstance(f, str) and f for f in forms):
            report.error(f"{where}: surface_forms must be a non-empty list of strings")
            continue
        if isinstance(speaker, str) and speaker not in forms:
            report.error(f"{where}: speaker {speaker!r} is not in surface_forms")
        elif forms[0] != speaker:
            report.warn(f"{where}: surface_forms should start with the speaker")
        for form in forms:
            if not re.search(r"(?<!\w)" + re.escape(form) + r"(?!\w)", body):
                report.error(f"{where}: surface form {form!r} does not occur in the body")
        if len(set(forms)) != len(forms):
            report.warn(f"{where}: repeated surface forms")
    return counts


def check_sentences(sentences, body: str, report: Report) -> dict:
    counts = {"checkworthy": 0, "not": 0}
    if not isinstance(sentences, list) or not sentences:
        report.error('"sentences" must be a non-empty list')
        return counts
    covered = [False] * len(body)
    cursor = 0
    for number, sentence in enumerate(sentences, start=1):
        where = f"sentence {number}"
        if not isinstance(sentence, dict):
            report.error(f"{where}: not an object")
            continue
        keys = set(sentence)
        if keys != SENTENCE_KEYS:
            report.error(f"{where}: keys {sorted(keys)} should be {sorted(SENTENCE_KEYS)}")
        text, flag = sentence.get("text"), sentence.get("checkworthy")
        if not isinstance(flag, bool):
            report.error(f"{where}: checkworthy must be true or false")
        else:
            counts["checkworthy" if flag else "not"] += 1
        if not isinstance(text, str) or not text.strip():
            report.error(f"{where}: empty or missing text")
            continue
        where = f"sentence {number} {short(text, 50)!r}"
        if text != text.strip():
            report.error(f"{where}: leading or trailing whitespace")
        if "\n" in text:
            report.error(f"{where}: spans a line break")
        index = body.find(text, cursor)
        if index < 0:
            if text in body:
                report.error(f"{where}: out of order (or overlaps the sentence before it)")
            else:
                report.error(f"{where}: not an exact substring of the body")
            continue
        for i in range(index, index + len(text)):
            covered[i] = True
        cursor = index + len(text)
    # Uncovered text: ignore whitespace and bullet markers at line starts.
    line_start = 0
    for line in body.split("\n"):
        bullet = BULLET.match(line)
        if bullet:
            for i in range(line_start, line_start + bullet.end()):
                covered[i] = True
        line_start += len(line) + 1
    missing = [i for i, char in enumerate(body) if not covered[i] and not char.isspace()]
    runs: list[list[int]] = []
    for i in missing:
        if runs and "\n" not in body[runs[-1][1]:i] and not body[runs[-1][1] + 1:i].strip():
            runs[-1][1] = i
        else:
            runs.append([i, i])
    for first, last in runs:
        report.error(f"body text not covered by any sentence: {short(body[first:last + 1])!r}")
    return counts


def check_pair(json_path: Path) -> tuple[Report, dict]:
    report = Report(json_path.stem)
    stats = {"words": 0, "direct": 0, "reported": 0, "checkworthy": 0, "not": 0}
    if not NAME.match(json_path.stem):
        report.warn("file name should look like NN-slug")
    txt_path = json_path.with_suffix(".txt")
    if not txt_path.exists():
        report.error(f"missing {txt_path.name}")
        return report, stats
    try:
        raw = txt_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        report.error(f"{txt_path.name} is not UTF-8: {error}")
        return report, stats
    check_importer_stability(raw, report)
    body = body_of(raw)
    if not body.strip():
        report.error("the article has no body after the headline line")
        return report, stats
    stats["words"] = len(raw.split())
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        report.error(f"cannot read {json_path.name}: {error}")
        return report, stats
    if not isinstance(data, dict) or set(data) != {"quotes", "sentences"}:
        report.error('top level must be an object with exactly "quotes" and "sentences"')
        if not isinstance(data, dict):
            return report, stats
    stats.update(check_quotes(data.get("quotes", []), body, report))
    stats.update(check_sentences(data.get("sentences", []), body, report))
    return report, stats


def selected(arguments: list[str]) -> list[Path]:
    if not arguments:
        return sorted(p for p in HERE.glob("*.json") if NAME.match(p.stem))
    paths = []
    for argument in arguments:
        path = Path(argument)
        if path.suffix != ".json":
            path = path.with_suffix(".json")
        if path not in paths:
            paths.append(path)
    return paths


def main(arguments: list[str]) -> int:
    paths = selected(arguments)
    if not paths:
        print("no gold files found")
        return 1
    failed = 0
    totals = {"words": 0, "direct": 0, "reported": 0, "checkworthy": 0, "not": 0}
    for path in paths:
        report, stats = check_pair(path)
        for key in totals:
            totals[key] += stats[key]
        sentences = stats["checkworthy"] + stats["not"]
        share = f"{stats['checkworthy'] / sentences:.0%}" if sentences else "-"
        status = "FAIL" if report.errors else "ok"
        print(
            f"{status:4} {report.name}: {stats['words']} words, quotes {stats['direct']} direct / "
            f"{stats['reported']} reported, sentences {sentences} ({stats['checkworthy']} check-worthy, {share})"
        )
        for message in report.errors:
            print(f"     error: {message}")
        for message in report.warnings:
            print(f"     warning: {message}")
        failed += bool(report.errors)
    sentences = totals["checkworthy"] + totals["not"]
    share = f"{totals['checkworthy'] / sentences:.0%}" if sentences else "-"
    print(
        f"{len(paths)} articles, {failed} with errors; {totals['words']} words, quotes {totals['direct']} direct / "
        f"{totals['reported']} reported, sentences {sentences} ({totals['checkworthy']} check-worthy, {share})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
