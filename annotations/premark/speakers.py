"""Who said it: the subject of a speech verb named as the article names it best.

Titles, party labels and epithets are dropped ("Prime Minister Keir Starmer" is "Keir Starmer", "Republican Jane
Doe" is "Jane Doe"); a programme or a bare place is no one. A later surname, pronoun or
bare title ("Witkoff", "she", "the minister") resolves to the full name given earlier; "she" skips
anyone the article itself marks as a man, and "he" anyone it marks as a woman. Names are read
from runs of proper nouns as well as from the entity recogniser, because the small model often tags an
unfamiliar person as an organisation or not at all. Pure functions over a parsed spaCy Doc; only the
package's __init__ loads spaCy.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from annotations.premark.lexicon import (
    ARTICLES,
    GENDER_OF_WORD,
    GENDERED_SUBJECT_PRONOUNS,
    GENERIC_ORGANISATION_NOUNS,
    GROUP_NOUNS,
    GROUP_PRONOUNS,
    INDEFINITE_SPEAKERS,
    MEDIUM_NOUNS,
    NAME_JOINERS,
    NAME_WORDS_OF_DESCRIPTION,
    ORGANISATION_NOUNS,
    ORGANISATION_WORDS,
    PLACE_NOUNS,
    POST_NOMINALS,
    RANK_WORDS,
    ROLE_NOUNS,
    ROLE_OF_TITLE,
    ROLES_BEFORE_NAMES,
    SPEAKER_PREPOSITIONS,
    SUBJECT_DEPS,
    TITLE_WORDS,
)

# Entity labels that make a capitalised run something other than a name: places, dates, amounts.
NOT_NAME_ENTITIES = frozenset({"GPE", "NORP", "LOC", "FAC", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL"})
NAME_ENTITIES = frozenset({"ORG", "GPE", "NORP", "FAC"})
# Modifiers kept when a common noun is the speaker: "Russian officials", "the health minister".
NOUN_PHRASE_DEPS = frozenset({"det", "amod", "compound", "nummod", "poss", "case", "nmod"})


# How sure a speaker is, by how it was found: the `speaker_confidence` of the premark --dry-run contract. Set by
# hand in the order of how often each way is right (a name at the cue first, a speaker carried over from the
# context last), not fitted to any data set.
CONFIDENCE = {
    "named": 0.95,  # the cue's subject is a full name, or an organisation by its name
    "lone name": 0.85,  # one word of a name, and the article gives no fuller name with it
    "resolved from surname": 0.85,
    "resolved from short name": 0.8,
    "resolved from title": 0.75,
    "described": 0.7,  # a common noun kept as written: "Russian officials", "others"
    "resolved from description": 0.7,
    "resolved from pronoun": 0.6,
    "from context": 0.5,  # no cue of its own: the speaker of the quote or person before it
    "unresolved title": 0.4,  # an office the article names no holder of: "the senator", but which?
}
# Taken off when the words fit more than one person the article names: two Cruzes for "Cruz", two women
# before "she", two ministers for "the minister".
AMBIGUITY_PENALTY = 0.2


@dataclass(frozen=True)
class NamedSpeaker:
    """Who speaks, named as the article names them best (not the Speaker model, which groups stored quotes)."""

    name: str
    is_person: bool
    how: str | None = None  # how the name was found, when it is not the words of the sentence
    source: str = ""  # the words it was found from: "he", "the senator", "Sanders", "Steve Witkoff"
    confidence: float = CONFIDENCE["named"]


def carried_over(speaker: NamedSpeaker) -> NamedSpeaker:
    """The speaker of a quote without a cue of its own, taken from the context: no surer than that."""
    return replace(speaker, confidence=min(speaker.confidence, CONFIDENCE["from context"]))


def _sure(how: str, *, is_ambiguous: bool = False) -> float:
    return round(CONFIDENCE[how] - (AMBIGUITY_PENALTY if is_ambiguous else 0), 2)


@dataclass(frozen=True)
class NameRun:
    """A run of capitalised proper nouns: 'Prime Minister Lukas Verhoeven', 'Corrowby City Council'."""

    start: int  # token indices of the whole run, titles included
    end: int
    name: str  # without places and titles in front: "Lukas Verhoeven"
    title: str  # those titles, lower case: "prime minister"
    is_organisation: bool


class People:
    """The people, organisations and roles an article names, indexed once per doc."""

    def __init__(self, doc):
        self.doc = doc
        self._runs: dict[int, NameRun] = {}  # token index -> the run it is in
        self._full_names: dict[str, list[tuple[int, str]]] = {}  # surname -> (offset, full name)
        self._roles: dict[str, list[tuple[int, str, str]]] = {}  # role noun -> (offset, role phrase, name)
        self._organisations: dict[str, list[tuple[int, str]]] = {}  # word of its name -> (offset, name)
        self._persons: list[tuple[int, str]] = []  # people as main subjects, for he/she
        self._mentioned: list[tuple[int, str]] = []  # people named in any role
        votes: dict[str, list[str]] = {}  # full name -> what each mention says of their gender
        self._groups: list[tuple[int, str]] = []  # organisations as main subjects, for it/they
        self._by_first_word: dict[str, list[tuple[int, str]]] = {}  # "Brightwell" -> (offset, "Brightwell Mobile")
        runs = list(_name_runs(doc))
        for run in runs:
            for i in range(run.start, run.end):
                self._runs[i] = run
            if " " in run.name:
                self._by_first_word.setdefault(run.name.split()[0], []).append((doc[run.start].idx, run.name))
            # "Caldwell Nurses" is no one's full name, and "Nurses" no one's surname.
            is_plural = doc[run.end - 1].tag_ == "NNPS" or doc[run.end - 1].lower_ in GROUP_NOUNS
            if not run.is_organisation and " " in run.name and not is_plural:
                self._full_names.setdefault(run.name.split()[-1], []).append((doc[run.start].idx, run.name))
        # The tagger does not always call a surname a proper noun ('“…,” Verhoeven told reporters').
        for token in doc:
            if token.text in self._full_names and token.i not in self._runs and _is_main_subject_or_its_owner(token):
                self._persons.append((token.idx, self.full_name(token.text, token.idx)))
        for ent in doc.ents:
            if ent.label_ == "ORG" and self._is_organisation(ent.root):
                self._index_organisation(ent.root.idx, _without_article(ent.text), ent.root)
        for run in runs:
            offset = doc[run.start].idx
            head = _run_head(doc, run)
            if not self._is_person(run):
                self._index_organisation(offset, run.name, head)
                if _is_main_subject(head):
                    self._groups.append((offset, run.name))
                continue
            name = self.full_name(run.name, offset)
            self._mentioned.append((offset, name))
            votes.setdefault(name, []).extend(self._gender_said_of(run, head))
            for phrase in self._roles_of(run, head):
                self._roles.setdefault(phrase.split()[-1], []).append((offset, phrase, name))
            if _is_main_subject_or_its_owner(head):
                self._persons.append((offset, name))
        # "The minister rejected that. He told reporters ...": a title that names someone is a subject too.
        for token in doc:
            if token.pos_ == "NOUN" and _is_main_subject(token) and (token.lower_ in ROLE_NOUNS or token.lower_ in self._roles):
                described = self._described(token)
                if described.how == "resolved from title":
                    self._persons.append((token.idx, described.name))
        for key in (self._persons, self._groups):
            key.sort()
        # A person's gender is what most mentions say, and unknown on a tie.
        self._gender = {name: max(set(said), key=said.count) for name, said in votes.items()
                        if said and said.count("male") != said.count("female")}

    def _index_organisation(self, offset: int, name: str, head) -> None:
        words = {w.lower() for w in name.split()}
        words |= {t.lower_ for child in head.children if child.dep_ == "appos" for t in child.subtree if t.pos_ == "NOUN"}
        for word in words:
            self._organisations.setdefault(word, []).append((offset, name))

    def _is_person(self, run: NameRun) -> bool:
        """Not an organisation by its words, not a name ending in a plural ("Brenmoor Appliances", "Corvane
        Cells") without a title, and not a lone word the recogniser calls an organisation unless the article
        gives it as someone's surname."""
        last = self.doc[run.end - 1]
        if run.is_organisation or (last.tag_ == "NNPS" and not run.title and last.lower_ not in GROUP_NOUNS):
            return False
        # "Green Left, the largest opposition party,": described as an organisation.
        head = _run_head(self.doc, run)
        if any(c.dep_ == "appos" and c.pos_ == "NOUN" and c.lower_ in ORGANISATION_NOUNS
               for c in head.children):
            return False
        is_lone_organisation = " " not in run.name and last.ent_type_ == "ORG"
        return not is_lone_organisation or run.name in self._full_names

    def _roles_of(self, run: NameRun, head) -> set[str]:
        """Offices written with the name: 'Deputy Foreign Minister Pavel Dorin', 'prosecutor Clara Mendez',
        'Jane Doe, the health minister' and 'the chief negotiator, Pavel Dorin'."""
        doc = self.doc
        described: list[str] = []
        i = run.start - 1
        while i >= 0 and (doc[i].pos_ in {"NOUN", "ADJ"} or doc[i].lower_ in RANK_WORDS) and doc[i].is_lower:
            described.insert(0, doc[i].lower_)
            i -= 1
        title = [ROLE_OF_TITLE.get(word, word) for word in run.title.split()]
        # "health minister dr." is a health minister: the office ends at its last role word.
        role_end = max((n + 1 for n, word in enumerate(title) if word in ROLES_BEFORE_NAMES), default=0)
        phrases = {" ".join([*described, *title[:role_end]]) if role_end else " ".join(described)}
        for noun in (*head.children, head.head):
            # An office is one noun: not "Ann Lee, 9 percent" nor "Ann Lee, one of the leaders".
            is_office = noun.tag_ == "NN" and not any(c.dep_ == "nummod" for c in noun.children)
            if is_office and (noun.dep_ == "appos" or (head.dep_ == "appos" and noun.i == head.head.i)):
                phrases.add(" ".join(t.lower_ for t in noun.lefts if t.dep_ in {"compound", "amod"}) + " " + noun.lower_)
        return {phrase.strip() for phrase in phrases if phrase.strip()}

    def _is_organisation(self, token) -> bool:
        run = self._runs.get(token.i)
        return run is None or run.is_organisation

    def full_name(self, name: str, offset: int) -> str:
        """A lone surname becomes the full name given most recently before it (or else first after it)."""
        if " " in name:
            return name
        known = self._full_names.get(name)
        if not known:
            return name
        return _latest_before(known, offset) or known[0][1]

    def speaker(self, subject) -> NamedSpeaker | None:
        """The speaker named by a subject token, resolved to the fullest name the article gives, with the
        words it was found from and how sure that is."""
        found = self._speaker_of(subject)
        return replace(found, source=self._surface(subject)) if found is not None and not found.source else found

    def _speaker_of(self, subject) -> NamedSpeaker | None:
        lower = subject.lower_
        if lower in GENDERED_SUBJECT_PRONOUNS:
            gender = GENDER_OF_WORD[lower]
            persons = [(o, name) for o, name in self._persons if self._gender.get(name, gender) == gender]
            name = self._named_in_passing_just_before(subject, gender) or _latest_before(persons, subject.idx)
            if not name:
                return None
            is_ambiguous = self._others_in_play(subject, name, gender)
            return NamedSpeaker(name, True, "resolved from pronoun",
                                confidence=_sure("resolved from pronoun", is_ambiguous=is_ambiguous))
        if lower in GROUP_PRONOUNS:
            name = _latest_before(self._groups, subject.idx)
            return NamedSpeaker(name, False, "resolved from pronoun", confidence=_sure("resolved from pronoun")) \
                if name else None
        if subject.pos_ == "PRON":
            # "others say", "some argue": as written; "I" and "we" speak only inside their own quotes.
            return NamedSpeaker(lower, False, confidence=_sure("described")) if lower in INDEFINITE_SPEAKERS else None
        # "the company's chief executive, Maria Lopez," is Maria Lopez; so is "the chair of the Trust,
        # Maria Lopez," though the parser hangs her name on the Trust.
        named = next((t for t in subject.subtree if t.dep_ == "appos" and t.i in self._runs
                      and (t.head.i == subject.i or self._is_person(self._runs[t.i]))), None)
        if named is not None and subject.i not in self._runs:
            return self.speaker(named)
        # "the Civic Forum, whose trade spokesman, Osmund Strothers, said" is Osmund Strothers.
        voice = next((t for t in subject.children if t.dep_ == "appos" and any(c.lower_ == "whose" for c in t.children)), None)
        person = voice and next((t for t in voice.children if t.dep_ == "appos" and t.i in self._runs), None)
        if person is not None and self._is_person(self._runs[person.i]):
            return self.speaker(person)
        if subject.text in self._full_names and subject.i not in self._runs:
            return self._from_surname(subject.text, subject.idx)
        run = self._runs.get(subject.i)
        if run is not None and lower not in GROUP_NOUNS:
            # "Brightwell said", after "Brightwell Mobile": news calls people by their surname, so a lone
            # first word of a longer name is the organisation's short name.
            short = self._named_from_first_word(run.name, subject.idx)
            if short:
                return NamedSpeaker(short, False, "resolved from short name", confidence=_sure("resolved from short name"))
            if not self._is_person(run):
                return NamedSpeaker(run.name, False)
            if " " in run.name:
                return NamedSpeaker(run.name, True)
            return self._from_surname(run.name, subject.idx)
        if subject.ent_type_ in NAME_ENTITIES:
            return NamedSpeaker(_without_article(_join(_entity_tokens(subject))), False)
        if lower in MEDIUM_NOUNS:
            # "Lee's radio show" speaks for Lee; "his show" (or a relative clause the parser hung on the show
            # rather than its listeners) names no one.
            owner = next((c for c in subject.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
            return self.speaker(owner) if owner is not None else None
        if lower in PLACE_NOUNS:
            return None
        return self._described(subject)

    def _from_surname(self, surname: str, offset: int) -> NamedSpeaker:
        """A lone name: the full name the article gives with it, less sure when two people share it."""
        full = self.full_name(surname, offset)
        if full == surname:
            return NamedSpeaker(surname, True, confidence=_sure("lone name"))
        is_ambiguous = len({name for _, name in self._full_names[surname]}) > 1
        return NamedSpeaker(full, True, "resolved from surname",
                            confidence=_sure("resolved from surname", is_ambiguous=is_ambiguous))

    def _others_in_play(self, pronoun, name: str, gender: str) -> bool:
        """Whether someone else who could be "he" or "she" was named in this sentence or the one before."""
        sentence = pronoun.sent
        start = self.doc[sentence.start - 1].sent.start_char if sentence.start else sentence.start_char
        return any(start <= offset < pronoun.idx and other != name and self._gender.get(other, gender) == gender
                   for offset, other in (*self._mentioned, *self._persons))

    def _surface(self, subject) -> str:
        """The words a speaker was found from, as the article writes them: "he", "the senator", "Sen. Sanders"."""
        run = self._runs.get(subject.i)
        if run is not None:
            return _join(self.doc[run.start:run.end])
        if subject.pos_ == "PRON" or (subject.pos_ == "PROPN" and subject.ent_type_ not in NAME_ENTITIES):
            return subject.text
        if subject.ent_type_ in NAME_ENTITIES:
            return _join(_entity_tokens(subject))
        return self._noun_phrase(subject)

    def _named_from_first_word(self, name: str, offset: int) -> str | None:
        """The longer name the article gave before (or else first after) that starts with this lone word,
        unless the word is also someone's surname."""
        if " " in name or name in self._full_names:
            return None
        longer = self._by_first_word.get(name)
        return (_latest_before(longer, offset) or longer[0][1]) if longer else None

    def _described(self, noun) -> NamedSpeaker:
        """A common noun: a title resolved to the person who holds it, a description to the organisation
        it describes ("the bank" -> National Bank of Aldmark), else the words as written."""
        phrase = " ".join(t.lower_ for t in noun.lefts if t.dep_ in {"compound", "amod"} and t.lower_ != "the")
        phrase = f"{phrase} {noun.lower_}".strip()
        is_definite = any(c.lower_ in {"the", "its", "their", "his", "her"} for c in noun.lefts)
        # "E.U. leaders", "developers": several people, not the one who holds the office.
        is_plural = noun.tag_ in {"NNS", "NNPS"}
        if not is_plural and (noun.lower_ in ROLE_NOUNS or noun.lower_ in self._roles):
            holder = self._holder_of(noun.lower_, phrase, noun.idx)
            if holder:
                name, is_ambiguous = holder
                return NamedSpeaker(name, True, "resolved from title",
                                    confidence=_sure("resolved from title", is_ambiguous=is_ambiguous))
        if is_definite:
            organisation = self._organisation_described(noun)
            if organisation:
                return NamedSpeaker(organisation, False, "resolved from description",
                                    confidence=_sure("resolved from description"))
        is_office = noun.lower_ in ROLE_NOUNS
        return NamedSpeaker(_without_article(self._noun_phrase(noun)), is_office,
                            confidence=_sure("unresolved title" if is_office else "described"))

    def _organisation_described(self, noun) -> str | None:
        """'the bank' is the last organisation with Bank in its name or described as one; 'the company'
        the last organisation named; 'the agency' the last group that spoke as '... agency'."""
        lower = noun.lower_
        for word in (lower, *NAME_WORDS_OF_DESCRIPTION.get(lower, ())):
            entries = self._organisations.get(word, [])
            # A full name ("Larkmoor Police") says more than a bare "Police" in "Police and Crime Commissioner".
            named = _latest_before([e for e in entries if " " in e[1]] or entries, noun.idx)
            if named:
                return named
        spoke = [(o, name) for o, name in self._groups if name.lower().split()[-1:] == [lower] and " " in name]
        if spoke:
            return _latest_before(spoke, noun.idx)
        if lower in GENERIC_ORGANISATION_NOUNS:
            # A one-word "organisation" is as often a town the recogniser got wrong.
            full_names = {entry for entries in self._organisations.values() for entry in entries if " " in entry[1]}
            return _latest_before(sorted(full_names), noun.idx)
        return None

    def _holder_of(self, role: str, phrase: str, offset: int) -> tuple[str, bool] | None:
        """Who holds the office: the exact title first ("foreign minister"), then any of the same rank; and
        whether several people held it."""
        holders = self._roles.get(role, [])
        exact = [(o, name) for o, p, name in holders if p == phrase]
        same_rank = [(o, name) for o, p, name in holders if not (set(p.split()) & RANK_WORDS) - set(phrase.split())]
        for candidates in (exact, same_rank):
            if candidates:
                # "A prosecutor told the jury ..." names her only later.
                name = _latest_before(candidates, offset) or candidates[0][1]
                return name, len({other for _, other in candidates}) > 1
        return None

    def _named_in_passing_just_before(self, pronoun, gender: str) -> str | None:
        """'For Vasquez, the priority is clear. She said ...': when the sentence before names a person but
        has no person as its subject or speaker, that person is nearer than an older subject."""
        sentence = pronoun.sent
        if sentence.start == 0:
            return None
        before = self.doc[sentence.start - 1].sent
        start, end = before.start_char, sentence.start_char
        if self.person_between(start, end):
            return None
        named = [name for offset, name in self._mentioned
                 if start <= offset < end and self._gender.get(name, gender) == gender]
        return named[-1] if named else None

    def _gender_said_of(self, run: NameRun, head) -> list[str]:
        """What one mention says of the person's gender: a title ('Mrs Ada Roe') counts three times, the
        first he/his or she/her after the name in a sentence the person is the subject of once ('Ada Roe
        said her ...', though 'Roe said she had misled ...' may mean someone else)."""
        said = [GENDER_OF_WORD[word] for word in run.title.split() if word in GENDER_OF_WORD] * 3
        # "his wife Heidi Roe", "her son Tom": the noun right before the name says it as surely as a title.
        before = self.doc[run.start - 1] if run.start else None
        if before is not None and before.pos_ == "NOUN" and before.lower_ in GENDER_OF_WORD:
            said += [GENDER_OF_WORD[before.lower_]] * 3
        if _is_main_subject(head):
            for token in self.doc[run.end:head.sent.end]:
                if token.i in self._runs:
                    break  # another name first: the pronoun may be theirs
                if token.lower_ in GENDER_OF_WORD and token.pos_ == "PRON":
                    said.append(GENDER_OF_WORD[token.lower_])
                    break
        return said

    def person_between(self, start: int, end: int) -> NamedSpeaker | None:
        """The last person who was the subject of a sentence in this stretch of text."""
        i = bisect.bisect_left(self._persons, (end,))
        if i and self._persons[i - 1][0] >= start:
            name = self._persons[i - 1][1]
            return NamedSpeaker(name, True, source=name, confidence=_sure("from context"))
        return None

    def note_speaker(self, offset: int, speaker: NamedSpeaker) -> None:
        """Remember a speaker found by the rules, so a later "he" or "it" can point back to it."""
        bisect.insort(self._persons if speaker.is_person else self._groups, (offset, speaker.name))

    def _noun_phrase(self, token) -> str:
        """A common-noun speaker with its modifiers and whose voice it is: "Russian officials",
        "a spokesman for the office"."""
        tokens = [t for t in token.lefts if t.dep_ in NOUN_PHRASE_DEPS for t in t.subtree]
        for prep in token.rights:
            if prep.dep_ == "prep" and prep.lower_ in SPEAKER_PREPOSITIONS:
                tokens += list(prep.subtree)
        return _join([*tokens, token])


def _name_runs(doc):
    """Runs of proper nouns, including hyphenated first names ("Per-Erik"). Places are left out; a
    person's titles in front are set apart ("Education Minister | Daniel Foyle"), an organisation's
    words are all kept ("Health Ministry")."""
    i = 0
    while i < len(doc):
        if not _is_name_word(doc[i]):
            i += 1
            continue
        start = i
        end = _joined_organisation_end(doc, start, _name_end(doc, i))
        # spaCy splits "Per-Erik" and may not call "Per" a proper noun.
        while start >= 2 and doc[start - 1].text == "-" and _is_glued(doc, start - 2) and doc[start - 2].is_title:
            start -= 2
        i = end
        tokens = doc[start:end]
        # The name follows the last title word that has more name after it.
        first = max((t.i + 1 for t in tokens[:-1] if t.lower_ in TITLE_WORDS), default=start)
        # "Republican Jane Doe", "C.E.O. John Roe", "Crooked Jane Doe": a party label, a job or an epithet that the
        # recogniser leaves out of the person's name is not part of it.
        first = max(first, _person_entity_start(doc, end))
        if first == start and all(t.ent_type_ in NOT_NAME_ENTITIES for t in tokens) \
                and not _is_introduced_as_person(doc, start, end):
            continue
        # "Union official Ada Roe" is a person: only words of the name itself make it an organisation.
        if any(t.lower_ in ORGANISATION_WORDS for t in doc[first:end]) or _follows_business_noun(doc, start):
            name = _join(tokens).removesuffix("'s").removesuffix("’s")
            yield NameRun(start, end, name, "", True)
            continue
        name_end = end
        while name_end - 1 > first and doc[name_end - 1].lower_ in POST_NOMINALS:
            name_end -= 1
        name = _join(doc[first:name_end]).removesuffix("'s").removesuffix("’s")
        title = " ".join(t.lower_ for t in doc[start:first] if t.ent_type_ not in NOT_NAME_ENTITIES)
        yield NameRun(start, end, name, title, False)


def _person_entity_start(doc, end: int) -> int:
    """Where a person entity of two words or more that ends at end starts (0 when there is none)."""
    last = doc[end - 1]
    if last.ent_type_ != "PERSON" or (end < len(doc) and doc[end].ent_iob_ == "I"):
        return 0
    start = end - 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    return start if end - start >= 2 else 0


def _joined_organisation_end(doc, start: int, end: int) -> int:
    """Where an organisation's name ends when it goes on past a joining word: "National Bank of Aldmark",
    "Office for Digital Markets", "Ministry of Roads and Waterways", "Food and Drink Agency", "Harwick
    Commuters' Association"."""
    joined_by_of = False
    while end + 1 < len(doc) and _is_name_word(doc[end + 1]):
        joiner = doc[end]
        is_plural_possessive = joiner.text in {"'", "’"} and doc[end - 1].lower_.endswith("s")
        if joiner.lower_ not in NAME_JOINERS and not is_plural_possessive:
            break
        after = _name_end(doc, end + 1)
        if joiner.lower_ in {"of", "for"}:
            # "of" and "for" follow the organisation's word: "Bank of ...".
            joins = any(t.lower_ in ORGANISATION_WORDS for t in doc[start:end])
            joined_by_of = joined_by_of or joins
        else:
            # "and" and a possessive come before it ("Health and Safety Inspectorate") or continue what
            # "of" began ("Ministry of Roads and Waterways"), and must not swallow "... and Mayor Ada Roe".
            rest = doc[end + 1:_joined_organisation_end(doc, end + 1, after)]
            joins = not any(t.lower_ in TITLE_WORDS for t in rest) and (
                joined_by_of or any(t.lower_ in ORGANISATION_WORDS for t in rest))
            after = rest.end if joins else after
        if not joins:
            break
        end = after
    return end


def _name_end(doc, start: int) -> int:
    """The end of the run of name words from start, across hyphens inside a name ("Anti-Doping")."""
    end = start
    while end < len(doc):
        if _is_name_word(doc[end]):
            end += 1
        elif doc[end].text == "-" and end > start and _is_glued(doc, end - 1) and end + 1 < len(doc) \
                and doc[end + 1].text[:1].isupper():
            end += 2
        else:
            break
    return end


def _is_introduced_as_person(doc, start: int, end: int) -> bool:
    """'official Ada Roe', 'Ada Roe, who ...': a person, whatever entity the recogniser gave the name."""
    before = doc[start - 1] if start else None
    if before is not None and before.is_lower and before.lower_ in TITLE_WORDS:
        return True
    return end + 1 < len(doc) and doc[end].text == "," and doc[end + 1].lower_ == "who"


def _follows_business_noun(doc, start: int) -> bool:
    """'battery maker Corvane Cells', 'retailer Homefield': a company, not a person."""
    before = doc[start - 1] if start else None
    return before is not None and before.pos_ == "NOUN" and (
        before.lower_ in GENERIC_ORGANISATION_NOUNS or before.lower_.endswith("maker"))


def _is_name_word(token) -> bool:
    return token.pos_ == "PROPN" and token.text[:1].isupper()


def _is_glued(doc, i: int) -> bool:
    return not doc[i].whitespace_ and not doc[i + 1].whitespace_


def _run_head(doc, run: NameRun):
    """The token of the run that the rest of the sentence attaches to."""
    return next((t for t in doc[run.start:run.end] if not (run.start <= t.head.i < run.end)), doc[run.end - 1])


def _is_main_subject(token) -> bool:
    """The subject of a sentence's main verb: who a later "he" or "it" most likely means. Subjects
    inside reported clauses ("said that Trump is committed") are passed over."""
    return token.dep_ in SUBJECT_DEPS and token.head.dep_ in {"ROOT", "conj"}


def _is_main_subject_or_its_owner(token) -> bool:
    """'Varn said' or 'Varn’s panel meets': either way the sentence is about Varn, whom a later "she" means."""
    return _is_main_subject(token) or (token.dep_ == "poss" and _is_main_subject(token.head))


def _entity_tokens(token):
    """The tokens of the entity that contains token."""
    start = token.i
    while start > 0 and token.doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(token.doc) and token.doc[end].ent_iob_ == "I":
        end += 1
    return token.doc[start:end]


def _join(tokens) -> str:
    """The tokens' text; a space stands for any left out between them (the marks of 'the “No” campaign')."""
    tokens = sorted(tokens, key=lambda t: t.i)
    parts = [t.text_with_ws if t.whitespace_ or n + 1 == len(tokens) or tokens[n + 1].i == t.i + 1 else t.text + " "
             for n, t in enumerate(tokens)]
    return "".join(parts).strip()


def _without_article(name: str) -> str:
    return name[name.index(" ") + 1:] if name.lower().startswith(ARTICLES) else name


def _latest_before(entries: list[tuple], offset: int) -> str | None:
    i = bisect.bisect_left(entries, (offset,))
    return entries[i - 1][-1] if i else None
