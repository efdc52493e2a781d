"""The validation engine: detect the format, run the pure per-record check, merge per file.

``check_record`` is a pure function of (record bytes, options): it returns findings and a small
summary, so it can run in any process; a file's result is the ordered merge of those.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from ftdata.diagnostics import Finding, Issue, Severity, printable_path
from ftdata.formats import Format, all_formats, get_format
from ftdata.inmemory import Unencodable, encode_record
from ftdata.issuelog import IssueLog, in_report_order
from ftdata.model import Example
from ftdata.parallel import check_events, choose_jobs
from ftdata.parsing import RecordError, decode_record
from ftdata.readers import (
    TEXT_SUFFIXES,
    Event,
    FileEvents,
    LineFinding,
    RawRecord,
    choose_layout,
    file_size,
    logical_name,
    read_events,
)
from ftdata.report import Report
from ftdata.results import RecordResult
from ftdata.rules import (
    CheckFunction,
    RuleContext,
    all_rules,
    example_checks,
    matches_code,
    structural_codes,
)
from ftdata.rules.duplicates import (
    NEAR_THRESHOLD,
    DuplicateTracker,
    RecordKeys,
    record_keys,
)
from ftdata.rules.file import file_findings, not_an_object
from ftdata.rules.quality import SystemPromptTally
from ftdata.rules.schema import lift_findings, target_findings
from ftdata.rules.tokens import NEAR_LIMIT, token_findings
from ftdata.shapes import check_shape
from ftdata.statistics import StatsAccumulator, summarize
from ftdata.targets import Target, get_target

if TYPE_CHECKING:
    from ftdata.locations import SourceRecorder
    from ftdata.models import ModelInfo
    from ftdata.templates.view import TrainerView
    from ftdata.tokens import TokenCounter

#: How many records format detection looks at.
DETECTION_SAMPLE = 100

#: ``progress(done, total)``: bytes read so far and the file's size (``None`` for gzip,
#: whose size after decompression is unknown until the end).
ProgressCallback = Callable[[int, int | None], None]
#: Bytes between two progress calls: often enough for a bar, rare enough to cost nothing.
PROGRESS_STEP = 1 << 20


@dataclass(frozen=True)
class ValidateOptions:
    """Everything that decides what ``validate`` reports."""

    format: str | None = None
    target: str = "generic"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    strict: bool = False
    max_issues: int | None = None
    #: Apply count limits (F007/F010); off for a validation file.
    count_limits: bool = True
    #: Model whose tokenizer counts and whose limit applies (T001/T002).
    model: str | None = None
    #: Per-example token limit; wins over the model's.
    max_tokens: int | None = None
    #: A local ``tokenizer.json`` (or Hugging Face id) to count with.
    tokenizer: str | None = None
    #: Count tokens at all (``--no-tokens`` turns it off).
    count_tokens: bool = True
    #: Count every example's tokens, for the statistics (``stats.tokens``). Off (for outputs
    #: that show no statistics), only the examples long enough to reach T001/T002 are counted
    #: (see :func:`ftdata.tokens.token_bound`), so a file of ordinary examples loads no
    #: tokenizer, and the report's statistics have no token figures.
    token_stats: bool = True
    #: Models added or overridden by configuration.
    extra_models: tuple[Mapping[str, Any], ...] = ()
    #: Look for near duplicates (D002; needs the ``near`` extra: rensa, or datasketch).
    near_duplicates: bool = False
    near_threshold: float = NEAR_THRESHOLD
    #: Worker processes (``--jobs``); ``None``: every core for large files, one for small.
    jobs: int | None = None
    #: Keep the examples' duplicate digests even when D001-D003 are off: a validation file
    #: is checked against these files for D004 (set for the training files when there is one).
    index_copies: bool = False
    #: The trainer's view (SPEC §8a, rules T003-T005): a trainer profile, a built-in template
    #: family and the trainer's maximum length. ``tokenizer`` renders too when one is set.
    trainer: str | None = None
    template: str | None = None
    max_length: int | None = None
    #: Trainer option overrides from a trainer config file, as (name, value) pairs.
    trainer_options: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class TokenSetup:
    """How tokens are counted for a run: the counter, the limit and where they come from."""

    counter: TokenCounter
    limit: int | None
    model: ModelInfo | None
    #: Every example is counted (else only those that could reach the limit's rules).
    every: bool = True

    def must_count(self, example: Example) -> bool:
        """Whether ``example``'s tokens are needed: for the statistics, or because its size
        could reach T001/T002 (a token covers a byte at least)."""
        if self.every:
            return True
        if self.limit is None:
            return False
        if not self.counter.bytes_bound:
            return True
        from ftdata.tokens import token_bound

        return token_bound(example) > NEAR_LIMIT * self.limit

    @property
    def model_id(self) -> str | None:
        return self.model.id if self.model else None


def token_setup(options: ValidateOptions, *, default_model: str | None = None
                ) -> TokenSetup | None:
    """The token counting a run asks for, or ``None`` when it counts no tokens.

    Raises ``ValueError`` (:class:`ftdata.models.UnknownModel`) for an unknown model and
    :class:`ftdata.tokens.TokenizerUnavailable` when the tokenizer cannot be loaded.
    """
    if not options.count_tokens:
        return None
    model_name = options.model or default_model
    if model_name is None and options.max_tokens is None and options.tokenizer is None:
        return None
    from ftdata.models import resolve_model
    from ftdata.tokens import get_counter

    extra = [dict(entry) for entry in options.extra_models] or None
    info = resolve_model(model_name, extra) if model_name else None
    counter = get_counter(info, options.tokenizer)
    limit = options.max_tokens
    if limit is None and info is not None:
        limit = info.max_tokens_per_example
    if options.token_stats:
        counter.load()  # before any worker is forked: they share it
    return TokenSetup(counter, limit, info, options.token_stats)


def view_setup(options: ValidateOptions) -> TrainerView | None:
    """The trainer's view a run asks for, or ``None`` (then T003-T005 never run).

    It is configured by ``trainer``, ``template`` or ``max_length``; a tokenizer alone counts
    tokens and renders nothing. Nothing is loaded here: :meth:`TrainerView.check` does that.
    """
    if options.trainer is None and options.template is None and options.max_length is None:
        return None
    from ftdata.templates.view import TrainerView

    return TrainerView(options.trainer, options.template, options.tokenizer, options.max_length,
                       options.trainer_options)


def checked_view(options: ValidateOptions) -> TrainerView | None:
    """:func:`view_setup`, loaded: raises :class:`ftdata.templates.view.ViewError` (a
    ``ValueError``, one line) when its trainer, template or tokenizer is unusable."""
    view = view_setup(options)
    if view is not None:
        view.check()
    return view


class Detection:
    """The outcome of format detection for one file."""

    def __init__(self, format: Format | None, reason: str) -> None:
        self.format = format
        self.reason = reason


def detect_format(samples: Iterable[Mapping[str, Any]], target: Target | None = None) -> Detection:
    """Pick the format that explains most of the sampled records.

    Ties go to the format listed first in the registry (the more general one), except that a
    target that accepts only the more specific one gets it.
    """
    formats = all_formats()
    scores = Counter[str]()
    total = 0
    for record in samples:
        total += 1
        for fmt in formats:
            if fmt.matches(record):
                scores[fmt.id] += 1
    if not scores:
        return Detection(None, "no known format fits the records" if total
                         else "no record is a JSON object")
    ranked = sorted(formats, key=lambda f: -scores[f.id])  # stable: registry order on ties
    best = ranked[0]
    if target is not None and not target.accepts(best.id):
        for fmt in ranked:
            if scores[fmt.id] == scores[best.id] and target.accepts(fmt.id):
                return Detection(fmt, f"detected (fits {scores[fmt.id]}/{total} records)")
    return Detection(best, f"detected (fits {scores[best.id]}/{total} records)")


def _covered(pointer: str | None, structural: list[str]) -> bool:
    if pointer is None:
        return False
    return any(pointer == p or pointer.startswith(p + "/") or p == "" for p in structural)


class RecordChecker:
    """The pure per-record check, configured once per file: bytes in, findings out.

    It holds only data (the format, the target and which checks run), so it can be sent to
    worker processes.
    """

    def __init__(self, fmt: Format, target: Target, enabled: frozenset[str] | None = None,
                 tokens: TokenSetup | None = None, *, duplicates: bool = False,
                 near: bool = False, error_codes: frozenset[str] = frozenset(),
                 view: TrainerView | None = None) -> None:
        self.format = fmt
        self.context = RuleContext(format=fmt, target=target)
        self.record_rules = bool(target.refused_record_keys or target.function_keys)
        self.checks = [rule for rule in example_checks()
                       if enabled is None or rule.code in enabled]
        # The check functions themselves, and those that still run on a broken structure.
        self._functions = tuple(rule.check for rule in self.checks if rule.check is not None)
        self._unordered = tuple(rule.check for rule in self.checks
                                if rule.check is not None and not rule.needs_structure)
        # Their findings hide the semantic findings under their pointer (see Rule.structural).
        self.structural = structural_codes()
        self.others = [other for other in all_formats() if other.family != fmt.family]
        self.tokens = tokens
        self.duplicates = duplicates
        self.near = near
        self.error_codes = error_codes
        if tokens is not None:
            from ftdata.tokens import count_example

            self.count_example = count_example
        self.view = view
        # The rules a batch scan decides for (see check_batch), with their bits.
        self._scanned = tuple(rule.code for rule in self.checks if rule.triggers is not None)
        self._selected: dict[int, tuple[tuple[CheckFunction, ...], tuple[CheckFunction, ...]]] = {}

    def __call__(self, data: bytes) -> RecordResult:
        read = self._read(data)
        return read if isinstance(read, RecordResult) else self._check(*read)

    def prepare_batches(self) -> None:
        """Compile the batch scan's patterns now (once per process): before worker processes
        fork, so that they share them."""
        from ftdata.scan.batch import scanner_for

        if self._scanned:
            scanner_for(self._scanned)

    def check_batch(self, batch: Sequence[bytes]) -> list[RecordResult]:
        """``[self(data) for data in batch]``, with the text-scanning rules' triggers looked
        for in the whole batch at once (:mod:`ftdata.scan.batch`): each such rule runs only on
        the records where one matches, which gives the same findings."""
        from ftdata.scan.batch import scanner_for

        scanner = scanner_for(self._scanned) if self._scanned else None
        if scanner is None:
            return [self(data) for data in batch]
        reads = [self._read(data) for data in batch]
        masks = scanner.masks([None if isinstance(read, RecordResult) else read[2]
                               for read in reads])
        return [read if isinstance(read, RecordResult) else self._check(*read, mask=mask)
                for read, mask in zip(reads, masks, strict=True)]

    def _functions_for(self, mask: int) -> tuple[tuple[CheckFunction, ...],
                                                  tuple[CheckFunction, ...]]:
        """The check functions (all, and those for a broken structure) of the rules that run
        on a record whose batch scan gave ``mask``: every rule without triggers, and those of
        ``mask``'s bits (in the order of :attr:`_scanned`)."""
        selected = self._selected.get(mask)
        if selected is None:
            skipped = {code for index, code in enumerate(self._scanned) if not mask >> index & 1}
            kept = [rule for rule in self.checks
                    if rule.check is not None and rule.code not in skipped]
            selected = self._selected[mask] = (
                tuple(rule.check for rule in kept if rule.check is not None),
                tuple(rule.check for rule in kept
                      if rule.check is not None and not rule.needs_structure))
        return selected

    def _read(self, data: bytes) -> RecordResult | tuple[list[Finding], str | None, Example | None]:
        """A record's decoding, shape and reading: its result when it cannot be read as an
        object, else what :meth:`_check` goes on with."""
        try:
            value = decode_record(data)
        except RecordError as error:
            return RecordResult([error.finding])
        if not isinstance(value, dict):
            return RecordResult([not_an_object(value)])
        fmt = self.format
        findings = check_shape(fmt.shape, value)
        if findings:
            findings = lift_findings(findings, value, self.context.target)
        if self.record_rules:
            unknown = {f.pointer for f in findings if f.code == "S002"}
            findings.extend(f for f in target_findings(value, self.context.target)
                            if f.pointer not in unknown)
        if fmt.cross_check is not None:
            findings.extend(fmt.cross_check(value))
        foreign = None
        if not fmt.matches(value):
            foreign = next((other.id for other in self.others if other.matches(value)), None)
        return findings, foreign, _read_tolerantly(fmt, value)

    def _check(self, findings: list[Finding], foreign: str | None, example: Example | None,
               mask: int | None = None) -> RecordResult:
        """The rules, tokens, trainer's view, digests and summary of a record read; ``mask``,
        from a batch scan, leaves out the text-scanning rules whose triggers did not match."""
        fmt = self.format
        functions, unordered = (self._functions, self._unordered) if mask is None \
            else self._functions_for(mask)
        if example is not None and not findings:
            context = self.context
            for check in functions:
                findings.extend(check(example, context))
        elif example is not None:
            structural = [f.pointer or "" for f in findings if f.code in self.structural]
            # A conversation whose structure is broken has no order worth judging.
            broken = any(f.code != "S002" for f in findings)
            for check in unordered if broken else functions:
                for finding in check(example, self.context):
                    if not _covered(finding.pointer, structural):
                        findings.append(finding)
        counted = None
        if example is not None and self.tokens is not None and self.tokens.must_count(example):
            counted = self.count_example(example, self.tokens.counter)
            findings.extend(token_findings(counted.total, self.tokens.limit,
                                           estimated=counted.estimated,
                                           model=self.tokens.model_id))
        seen = None
        if example is not None and self.view is not None:
            from ftdata.templates.view import see, view_findings

            outcome = see(self.view, example, fmt.id)
            findings.extend(view_findings(self.view, outcome))
            seen = outcome.summary
        keys = None
        # Duplicates are looked for among examples that are otherwise usable.
        if (example is not None and self.duplicates
                and not any(f.code in self.error_codes for f in findings)):
            keys = record_keys(example, near=self.near)
        summary = summarize(example) if example is not None else None
        return RecordResult(findings, example, foreign, counted, keys, summary, seen)


def check_record(data: bytes, fmt: Format, target: Target) -> RecordResult:
    """Check one record's bytes against its format and every example rule. Pure."""
    return RecordChecker(fmt, target)(data)


def _read_tolerantly(fmt: Format, value: dict[str, Any]) -> Example | None:
    try:
        return fmt.read(value)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None  # the shape has already said what is wrong


def sample_records(source: str | os.PathLike[str] | FileEvents
                   ) -> Iterator[Mapping[str, Any]]:
    """The first records that are JSON objects, for format detection. Given the
    :class:`FileEvents` that will be validated, they are read ahead and given again by it, so
    the file is read once."""
    taken = 0
    events = source.look_ahead() if isinstance(source, FileEvents) else read_events(source)
    for event in events:
        if taken >= DETECTION_SAMPLE:
            return
        if isinstance(event, RawRecord):
            try:
                value = decode_record(event.data)
            except RecordError:
                continue
            if isinstance(value, dict):
                taken += 1
                yield value


class IssueCollector:
    """Turns findings into issues (name, severity, location), honouring select/ignore.

    A code's severity is the user's (configuration), else the target's, else the rule's; an
    unknown key (S002) without the user's word takes the target's policy for its place in a
    ``format_id`` record (see :meth:`Target.unknown_key_severity`).
    """

    def __init__(self, options: ValidateOptions, target: Target,
                 format_id: str | None = None) -> None:
        self.rules = {rule.code: rule for rule in all_rules()}
        self.severity: dict[str, Severity] = {}
        for code, rule in self.rules.items():
            self.severity[code] = options.severity.get(
                code, target.severity.get(code, rule.severity))
        self.target = target
        self.format_id = format_id
        #: Codes whose severity the user or the target sets: a finding's own does not apply.
        self.fixed = frozenset(options.severity) | frozenset(target.severity)
        # The user's severity for S002 wins over the target's policy of unknown keys.
        self.unknown_key_policy = "S002" not in options.severity and bool(target.unknown_keys)
        self.enabled = frozenset(
            code for code in self.rules
            if (not options.select or matches_code(code, options.select))
            and not matches_code(code, options.ignore))
        #: In bounded memory: past a few thousand, issues go to disk (see IssueLog).
        self.issues: list[Issue] = IssueLog()

    @property
    def error_codes(self) -> frozenset[str]:
        """Codes that make a record unusable (its duplicates are then not looked for); an
        unknown key counts only where the target never lowers it."""
        lowered = self.unknown_key_policy and any(
            severity is not Severity.ERROR for severity in self.target.unknown_keys.values())
        return frozenset(code for code, severity in self.severity.items()
                         if severity is Severity.ERROR and not (lowered and code == "S002"))

    def severity_of(self, finding: Finding) -> Severity:
        """The severity ``finding`` is reported with."""
        if finding.code == "S002" and self.unknown_key_policy:
            placed = self.target.unknown_key_severity(self.format_id, finding.pointer)
            if placed is not None:
                return placed
        if finding.severity is not None and finding.code not in self.fixed:
            return finding.severity
        return self.severity[finding.code]

    def add(self, finding: Finding, line: int | None, record: int | None) -> Issue | None:
        if finding.code not in self.enabled:
            return None
        rule = self.rules[finding.code]
        issue = Issue(code=finding.code, name=rule.name, severity=self.severity_of(finding),
                      line=line, record=record, pointer=finding.pointer,
                      message=finding.message, fixable=rule.fixable)
        self.issues.append(issue)
        return issue


def validate_path(path: str | os.PathLike[str], options: ValidateOptions,
                  *, display_path: str | None = None,
                  training: Sequence[Report] = (),
                  progress: ProgressCallback | None = None,
                  keys_sink: KeysSink | None = None,
                  locations: Literal["lines", "digests"] | None = None) -> Report:
    """Validate one file. Raises :class:`ftdata.readers.InputError` when it cannot be read.

    With ``training`` (the reports of the training files), the file is validated as their
    validation file: count limits do not apply and copies of training examples are D004.
    ``progress``, when given, is called with the bytes read so far and the total size as
    the file is read, and once more at the end. ``keys_sink``, when given, receives the line,
    record number and duplicate digests of every record that could have copies (an index
    kept elsewhere, such as a cluster's, can then look for them). ``locations`` records the
    physical lines (and SHA-256 digests) of the records with issues as the file is read, in
    :attr:`Report.sources`, for renderers that annotate the file. The file is opened once.
    """
    # Named as reports show it: bytes that are not UTF-8 and control characters escaped.
    name = printable_path(display_path if display_path is not None else os.fspath(path))
    size = file_size(path)
    target = get_target(options.target)
    suffix = os.path.splitext(logical_name(path))[1].lower()
    if suffix in CONVERTER_INPUTS and not options.format:
        return converter_input_report(name, suffix, target, options)
    events = read_events(path, digests=locations == "digests")
    head = events.open()
    if suffix in TEXT_SUFFIXES and not options.format:
        kind = _chat_log_kind(path, head)
        if kind is not None:
            events.close()
            return _chat_log_report(name, kind, target, options)
    fmt: Format | None
    if options.format:
        fmt, reason = get_format(options.format), "given"
    else:
        detection = detect_format(sample_records(events), target)
        fmt, reason = detection.format, detection.reason
    leak_index: list[tuple[DuplicateTracker, str]] = []
    if training:
        options = replace(options, count_limits=False)
        if "D004" in IssueCollector(options, target).enabled:
            leak_index = [(r.duplicates, r.path) for r in training if r.duplicates is not None]
    checked: Iterable[Event] = events
    if progress is not None:
        checked = _reporting_progress(events, None if events.compressed else size, progress)
    sources = None
    if locations is not None:
        from ftdata.locations import SourceRecorder

        sources = SourceRecorder(events.layout, digests=locations == "digests")
    try:
        return validate_events(checked, name, fmt, reason, target, options,
                               size=size, tokens=token_setup(options), leak_index=leak_index,
                               keys_sink=keys_sink, sources=sources)
    finally:
        events.close()


#: Receives (line, record number, duplicate digests) for each record that could have copies.
KeysSink = Callable[[int, int, RecordKeys], None]


#: Inputs that are converter sources, never training files: validate says how to convert them.
#: A ``.txt`` is a plain-text corpus (format ``text``, one document a line), unless it reads as
#: a chat log (a WhatsApp export or a ``Speaker: text`` transcript), which is converted first.
CONVERTER_INPUTS = frozenset({".csv", ".tsv", ".xlsx", ".xls", ".parquet"})


def converter_input_report(name: str, suffix: str, target: Target,
                            options: ValidateOptions) -> Report:
    collector = IssueCollector(options, target)
    collector.add(Finding("F009", f"a {suffix} file is not a training file; convert it first: "
                                  f"ftdata convert {name} -o train.jsonl --to openai-chat"),
                  None, None)
    return Report(path=name, format=None, target=target.id, model=None, records=0,
                  valid_records=0, issues=collector.issues, strict=options.strict,
                  max_issues=options.max_issues)


def _chat_log_kind(path: str | os.PathLike[str], head: bytes) -> str | None:
    """``whatsapp`` or ``transcript`` when a plain-text file (``head``: its first bytes)
    reads as that chat log."""
    if choose_layout(path, head) != "text":
        return None
    from ftdata.sources.chat_log import chat_log_kind

    return chat_log_kind(head.decode("utf-8", "replace"))


def _chat_log_report(name: str, kind: str, target: Target, options: ValidateOptions) -> Report:
    collector = IssueCollector(options, target)
    what = "a WhatsApp export" if kind == "whatsapp" else "a `Speaker: text` transcript"
    collector.add(Finding("F009", f"the file reads as {what}, not a training file; convert it "
                                  f"first: ftdata convert {name} --from {kind} -o train.jsonl "
                                  f"--to openai-chat (or pass --format text to read it as a "
                                  f"plain-text corpus)"), None, None)
    return Report(path=name, format=None, target=target.id, model=None, records=0,
                  valid_records=0, issues=collector.issues, strict=options.strict,
                  max_issues=options.max_issues)


def _reporting_progress(events: Iterable[Event], total: int | None,
                        progress: ProgressCallback) -> Iterator[Event]:
    """Pass ``events`` through, telling ``progress`` roughly how many bytes they came from."""
    done = reported = 0
    progress(0, total)
    for event in events:
        # A record's bytes plus its line end; separators in JSON arrays are not counted,
        # which the final call makes up for.
        done += len(event.data) + 1 if isinstance(event, RawRecord) else 1
        if done - reported >= PROGRESS_STEP:
            reported = done
            progress(done if total is None else min(done, total), total)
        yield event
    progress(done if total is None else total, total)


def validate_records(records: Iterable[Mapping[str, Any] | bytes | str], options: ValidateOptions,
                     *, name: str = "<records>") -> Report:
    """Validate records held in memory (dicts, or JSON text); ``line`` is the 1-based position."""
    iterator = iter(records)
    head = [encode_record(item) for item in itertools.islice(iterator, DETECTION_SAMPLE)]
    target = get_target(options.target)
    fmt: Format | None
    if options.format:
        fmt, reason = get_format(options.format), "given"
    else:
        samples = []
        for data in head:
            if isinstance(data, Unencodable):
                continue
            try:
                value = decode_record(data)
            except RecordError:
                continue
            if isinstance(value, dict):
                samples.append(value)
        detection = detect_format(samples, target)
        fmt, reason = detection.format, detection.reason
    events = (_record_event(number, data) for number, data in enumerate(
        itertools.chain(head, (encode_record(item) for item in iterator)), start=1))
    return validate_events(events, name, fmt, reason, target, options, size=None,
                           tokens=token_setup(options))


@dataclass(slots=True, frozen=True)
class UnencodableRecord(RawRecord):
    """A record in memory with no JSON form: ``finding`` (F002 at a pointer) is its verdict."""

    finding: Finding


def _record_event(number: int, data: bytes | Unencodable) -> RawRecord:
    if isinstance(data, Unencodable):
        return UnencodableRecord(number, b"{}", data.finding)
    return RawRecord(number, data)


def validate_events(events: Iterable[Event], name: str, fmt: Format | None, reason: str,
                    target: Target, options: ValidateOptions, *, size: int | None,
                    tokens: TokenSetup | None,
                    leak_index: Sequence[tuple[DuplicateTracker, str]] = (),
                    keys_sink: KeysSink | None = None, partition: bool = False,
                    sources: SourceRecorder | None = None) -> Report:
    """The report on a file's reader events (or records in memory) read as ``fmt``: the one
    check behind :func:`validate_path`, :func:`validate_records` and each partition of
    :func:`ftdata.integrations.dask.validate_partitions`.

    ``size`` is the file's size in bytes (``None`` when unknown), ``tokens`` how tokens are
    counted (:func:`token_setup`). ``leak_index`` holds the training files' duplicate indexes
    when this is their validation file (D004); ``keys_sink`` receives the duplicate digests of
    each record that could have copies. With ``partition`` the events are one partition of a
    dataset judged as a whole elsewhere: the rules whose scope is the dataset (duplicates,
    count limits, system prompt consistency) are left to it, in one process, and the report
    keeps the system prompts' tally (``system_prompts``) for it. ``sources`` records where
    the records with issues are (physical lines, digests) for the output formats that cite
    them.

    >>> report = validate_events(read_events("train.jsonl"), "train.jsonl",
    ...                          get_format("openai-chat"), "given", get_target("generic"),
    ...                          ValidateOptions(), size=None, tokens=None)  # doctest: +SKIP
    """
    collector = IssueCollector(options, target, fmt.id if fmt is not None else None)
    view = checked_view(options)
    duplicate_codes = {"D001", "D002", "D003"} & collector.enabled
    if not options.near_duplicates:
        duplicate_codes.discard("D002")
    tracker = (DuplicateTracker(near="D002" in duplicate_codes or (
                                    options.index_copies and options.near_duplicates),
                                threshold=options.near_threshold)
               if (duplicate_codes or leak_index or keys_sink is not None or options.index_copies)
               and not partition else None)
    # A partition's digests are judged across the dataset (D004: against a validation file).
    digests = (bool(duplicate_codes) or options.index_copies) if partition else tracker is not None
    checker = (RecordChecker(fmt, target, collector.enabled, tokens,
                             duplicates=digests,
                             near=("D002" in duplicate_codes) if partition
                             else options.near_duplicates,
                             error_codes=collector.error_codes, view=view)
               if fmt is not None else None)
    system_prompts = SystemPromptTally() if "Q007" in collector.enabled else None
    jobs = choose_jobs(options.jobs, size) if checker is not None and not partition else 1
    checked = check_events(events, checker, jobs) if checker is not None else (
        (event, None) for event in events)

    def copies(line: int, index: int, keys: RecordKeys) -> list[Finding]:
        if keys_sink is not None:
            keys_sink(line, index, keys)
        if tracker is None:  # a partition: copies are found across the dataset
            return []
        found = tracker.observe(keys, line)
        for training_index, training_name in leak_index:
            leaks = training_index.leaks(keys, training_name)
            if leaks:
                found += leaks
                break
        return found

    totals = collect_results(checked, collector, system_prompts,
                             tokens.limit if tokens else None,
                             copies if tracker is not None or partition else None, sources)
    records, stats = totals.records, totals.stats
    file_level = file_findings(fmt, reason, target, records, size, totals.foreign,
                               totals.first_foreign,
                               count_limits=options.count_limits and not partition)
    if system_prompts is not None and not partition:
        file_level += system_prompts.findings()
    for finding in file_level:
        collector.add(finding, None, None)
    issues = in_report_order(collector.issues)
    valid = 0 if fmt is None else records - len(totals.invalid)
    return Report(path=name, format=fmt.id if fmt else None, target=target.id,
                  model=tokens.model_id if tokens else None, records=records,
                  valid_records=valid, issues=issues, stats=file_stats(stats, tokens, view),
                  strict=options.strict, max_issues=options.max_issues, accumulator=stats,
                  duplicates=tracker, system_prompts=system_prompts if partition else None,
                  sources=sources.map() if sources is not None else None)


@dataclass
class RecordTotals:
    """What the record loop of one file learns besides its issues."""

    records: int = 0
    #: Records with an error-severity issue.
    invalid: set[int] = field(default_factory=set)
    #: Records that look like another format's family, by family, and the first line of each.
    foreign: Counter[str] = field(default_factory=Counter)
    first_foreign: dict[str, int] = field(default_factory=dict)
    stats: StatsAccumulator = field(default_factory=StatsAccumulator)


#: Given a record's line, number and duplicate digests, the duplicate findings it gets.
CopyCheck = Callable[[int, int, RecordKeys], list[Finding]]


def collect_results(checked: Iterable[tuple[Event, RecordResult | None]],
                    collector: IssueCollector, system_prompts: SystemPromptTally | None,
                    limit: int | None, copies: CopyCheck | None,
                    sources: SourceRecorder | None = None) -> RecordTotals:
    """Turn each record's check into issues, statistics and the Q007 tally, in file order: the
    loop of one file's validation, on one machine or in a partition of a cluster. ``copies``
    judges a record's digests (this file's index, a validation file's leaks, or a list kept
    for a shuffle); ``sources`` notes where each record with an issue is."""
    totals = RecordTotals()
    stats, invalid = totals.stats, totals.invalid
    for event, result in checked:
        if isinstance(event, LineFinding):
            collector.add(Finding(event.code, event.message), event.line, None)
            continue
        index = totals.records
        totals.records += 1
        if isinstance(event, UnencodableRecord):
            issue = collector.add(event.finding, event.line, index)
            if issue is not None and issue.severity is Severity.ERROR:
                invalid.add(index)
            continue
        if result is None:  # no format: only whether the record parses as an object
            try:
                value = decode_record(event.data)
            except RecordError as error:
                if collector.add(error.finding, event.line, index) and sources is not None:
                    sources.note(event)
                continue
            if not isinstance(value, dict) and collector.add(
                    not_an_object(value), event.line, index) and sources is not None:
                sources.note(event)
            continue
        found = result.findings
        if result.keys is not None and copies is not None:
            found = [*found, *copies(event.line, index, result.keys)]
        noted = sources is None
        for finding in found:
            issue = collector.add(finding, event.line, index)
            if issue is not None and issue.severity is Severity.ERROR:
                invalid.add(index)
            if issue is not None and not noted:
                noted = True
                sources.note(event)  # type: ignore[union-attr]
        if result.foreign_format:
            totals.foreign[result.foreign_format] += 1
            totals.first_foreign.setdefault(result.foreign_format, event.line)
        if result.summary is not None:
            stats.add_example(result.summary)
            if system_prompts is not None and result.summary.conversational:
                system_prompts.observe(result.summary.system_key, event.line)
        if result.view is not None:
            stats.add_view(*result.view)
        if result.tokens is not None:
            stats.add_tokens(result.tokens.total, result.tokens.trainable,
                             estimated=result.tokens.estimated, line=event.line, limit=limit,
                             reasoning=result.tokens.reasoning)
    return totals


def file_stats(stats: StatsAccumulator, tokens: TokenSetup | None,
               view: TrainerView | None = None) -> dict[str, Any]:
    """A file entry's ``stats``: its structure, its tokens when they were counted, and the
    trainer's view (``trainer``) when one is configured."""
    summary = stats.structure()
    if view is not None:
        summary["trainer"] = stats.view_summary(view)
    if tokens is None or not tokens.every:
        return summary
    return {"tokenizer": tokens.counter.name,
            "estimated": tokens.counter.estimated or stats.estimated,
            "max_tokens_per_example": tokens.limit, "tokens": stats.token_summary(),
            "over_limit": stats.over_limit, **summary}
