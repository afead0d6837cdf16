"""The word lists the pre-marker's rules read, in one place: each says what it is for and where it came from.

Words are lower case and, where a comment says lemmas, spaCy's lemmas. "By hand from gold errors" means written
by hand for the rules and grown with fixes for errors on bench/gold and bench/gold_unseen (git log names them).
"""

# --- Speech verbs and quotes (quotes.py, reported_speech.py, sentence_breaks.py) ---

# Verbs that introduce someone's words and report a clause of their own ('she said (that) ...'); lemmas.
# Source: by hand from gold errors.
CLAUSE_REPORTING_VERBS = frozenset("""
say tell state add note emphasize emphasise stress warn argue claim insist explain announce declare assert
maintain acknowledge admit confirm reiterate suggest report write tweet post predict promise pledge vow
concede contend allege reply respond recall observe remark comment caution answer testify conclude counter
retort estimate forecast indicate reveal disclose boast complain deny point
""".split())
# Every verb that attributes a direct quote: the above, and those that do not assert a reported clause of
# their own ("Why now?" she asked; he called it "a disgrace"); lemmas. Source: by hand from gold errors.
QUOTING_VERBS = CLAUSE_REPORTING_VERBS | frozenset("""
ask wonder call describe label term dub hail urge demand accuse shout yell whisper cry exclaim continue
joke quip laugh sigh plead dismiss
""".split())
# Inflected speech verbs that keep '“Why now?” she asked.' one sentence (a regex alternation, not lemmas:
# the sentence boundaries are set before the lemmatizer runs). Source: by hand from gold errors.
SPEECH_FORMS = "said|says|asked|asks|told|tells|added|adds|replied|wrote|writes|joked|insisted|wondered|shouted|warned"

# Words before a quoted phrase that make it a name, a title or a scare quote, not someone's words.
# Source: by hand from gold errors.
NAMING_CUES = frozenset("""
so-called dubbed nicknamed titled entitled named branded known called termed labelled labeled
film movie book novel song album show series play poem article essay report documentary podcast column
headline slogan motto campaign operation programme program hashtag term word phrase label brand
exhibition opera musical magazine newspaper website app game painting track single episode bill act
""".split())
# 'according to figures released by the office': nouns that are the source's product, not the source.
# Source: by hand from gold errors.
SOURCE_NOUNS = frozenset({"report", "statement", "study", "survey", "data", "figures", "analysis", "estimate",
                          "estimates", "poll", "research", "filing", "document", "documents", "release"})
# Clipped words whose leading apostrophe is not an opening quote mark ('em, 'til, 'tis). Source: by hand.
ELISIONS = ("em ", "til ", "cause ", "n ", "n'", "tis ", "twas ")
# A reported clause starting with one of these is a question ("asked whether ..."), not a statement.
# Source: by hand from gold errors.
QUESTION_WORDS = frozenset({"whether", "if", "why", "how", "what", "who", "when", "where", "which"})
# Things that show rather than say: "replays suggested", "figures show". Findings are not speech.
# Source: by hand from gold errors.
EVIDENCE_NOUNS = frozenset("""
study studies report reports survey surveys data figure figures research analysis poll polls replay replays
footage record records evidence test tests result results statistics review audit paper model models image
images document documents map maps chart charts
""".split())

# --- Speakers (speakers.py) ---

# Offices someone can be introduced with and later called by alone ("the minister said").
# Source: by hand from gold errors.
ROLE_NOUNS = frozenset("""
president minister chancellor secretary envoy ambassador mayor governor senator spokesman spokeswoman
spokesperson chairman chairwoman chair director executive ceo chief leader premier judge adviser advisor
commissioner officer coach manager founder head king queen prince pope general commander prosecutor
representative congressman congresswoman detective inspector superintendent councillor councilor
negotiator organiser organizer economist analyst professor scientist researcher lawyer counsel coroner
registrar ombudsman auditor treasurer comptroller curator warden principal headmaster headmistress clerk
solicitor barrister pathologist
""".split())
# Job words that come before a name, capitalised at a sentence start ("Pensioner Ada Roe"), and can also
# stand for the person later ("the pensioner said"). Source: by hand from gold errors.
DESCRIPTOR_NOUNS = frozenset("""
pensioner retiree shopkeeper teacher headteacher farmer nurse midwife doctor surgeon paramedic student
resident driver engineer worker activist campaigner volunteer veteran artist author writer owner landlord
tenant player striker midfielder defender goalkeeper referee journalist reporter historian architect builder
electrician businessman businesswoman entrepreneur banker trader consultant candidate widow widower
hydrologist geologist biologist ecologist epidemiologist physician psychologist mother grandmother
grandfather
""".split())
# Words a person's office is written with in front of the name: both lists above.
ROLES_BEFORE_NAMES = ROLE_NOUNS | DESCRIPTOR_NOUNS
# Words that name an office or honorific rather than the person: dropped from the front of a name.
# Source: by hand from gold errors.
TITLE_WORDS = ROLE_NOUNS | DESCRIPTOR_NOUNS | frozenset("""
mr mr. mrs mrs. ms ms. miss dr dr. sir dame lord lady prof prof. rev rev. reverend vice prime foreign home
health finance defence defense interior deputy senior junior cfo coo chairperson gen. gen admiral colonel
col. major captain capt. lieutenant lt. sergeant sen. sen rep. rep gov. justice attorney princess emperor
sheikh ayatollah special official presidential constable father sister brother alderman mp mep
assemblyman assemblywoman lawmaker legislator magistrate sheriff marshal dean provost rector bishop
archbishop cardinal rabbi imam pastor
""".split())
# Titles by another word for the office they hold: Lady Justice Roe is "the judge".
# Source: by hand from gold errors.
ROLE_OF_TITLE = {"justice": "judge", "prof": "professor", "prof.": "professor", "gen": "general", "gen.": "general",
                 "sen": "senator", "sen.": "senator", "gov.": "governor", "rep.": "representative", "cllr": "councillor"}
# Honours and degrees after a name: "Marcus Ebbing KC" is Marcus Ebbing, and "Ebbing" his surname.
# Source: by hand from gold errors.
POST_NOMINALS = frozenset("kc qc mp msp mla mep jr jr. sr sr. ii iii iv obe mbe cbe kbe phd md".split())
# Qualifiers that make a different office: "the foreign minister" is not the deputy foreign minister.
# Source: by hand from gold errors.
RANK_WORDS = frozenset({"deputy", "vice", "junior", "assistant", "former", "acting", "shadow"})

# Words that make a run of proper nouns an organisation or a place, not a person. Source: by hand from gold errors.
ORGANISATION_WORDS = frozenset("""
council ministry bank university police office board authority group party court agency federation
alliance association institute college club company ltd inc plc corp union committee commission service
department foundation trust school hospital network league fund forces army navy government parliament
assembly cabinet mission airways airlines holdings partners media news times post museum centre center
society organisation organization institution coalition front movement campaign team city
county region province state republic kingdom street road square chamber inspectorate bureau directorate
tribunal regulator secretariat observatory laboratory consortium cooperative guild syndicate exchange
corporation programme panel
""".split())
# Plural nouns for groups that speak ("Officials said"); at a sentence start the tagger calls them
# proper nouns, but they are not names. Source: by hand from gold errors.
GROUP_NOUNS = frozenset("""
officials critics opponents residents analysts experts economists police authorities researchers scientists
doctors witnesses protesters protestors investors campaigners activists sources lawmakers ministers leaders
diplomats prosecutors lawyers organisers organizers officers workers teachers parents students supporters
observers voters farmers engineers unions councillors councilors negotiators regulators executives nurses
staff authors
""".split())
# "the company said": the organisation the article last named. Source: by hand from gold errors.
GENERIC_ORGANISATION_NOUNS = frozenset({"company", "firm", "group", "business", "manufacturer", "operator",
                                        "retailer", "lender", "insurer", "developer", "club", "charity", "maker",
                                        "carmaker", "drugmaker", "chipmaker", "supplier", "producer", "startup"})
# Nouns that describe a name as an organisation: "Green Left, the opposition party,". Both lists above.
ORGANISATION_NOUNS = ORGANISATION_WORDS | GENERIC_ORGANISATION_NOUNS
# Descriptions that stand for an organisation without sharing a word of its name: "the force" is the police.
# Source: by hand from gold errors.
NAME_WORDS_OF_DESCRIPTION = {"force": ("police", "constabulary")}
# Words that join an organisation's name: "Office for Digital Markets", "Food and Drink Agency".
# Source: by hand from gold errors.
NAME_JOINERS = frozenset({"of", "for", "and", "&"})
# "a spokesman for the office", "residents of Dren": the phrase says whose voice it is. Source: by hand.
SPEAKER_PREPOSITIONS = frozenset({"at", "for", "from", "of"})
# Speakers are named without these in front: "the Kremlin" is Kremlin, "its authors" authors. Source: by hand.
ARTICLES = ("the ", "a ", "an ", "its ", "their ")

# Programmes, shows and publications: a subject that is one of these ("his radio program, who said ...", a parse
# that hangs the relative clause on the wrong noun) is not a speaker; its owner, when named, is. Source: by hand.
MEDIUM_NOUNS = frozenset("""
program programme show broadcast podcast column blog website site book film movie documentary episode
newsletter channel
""".split())
# Places that do not speak: "the country said" is someone in it, left unnamed rather than called "country". Not
# city, town, state or county, which US news uses for their governments ("the city said it would appeal").
# Source: by hand.
PLACE_NOUNS = frozenset("country nation continent island region territory homeland village neighbourhood neighborhood".split())
# Subject pronouns that point back to a person of one gender (GENDER_OF_WORD says which). Source: by hand.
GENDERED_SUBJECT_PRONOUNS = frozenset({"he", "she"})
# Subject pronouns that point back to an organisation or group. Source: by hand.
GROUP_PRONOUNS = frozenset({"it", "they"})
# Pronoun subjects kept as written: "others say", "some argue". Source: by hand.
INDEFINITE_SPEAKERS = frozenset({"some", "others", "many", "few", "several", "most", "both"})
# What the article itself says of someone's gender: a title or a kin word ("his wife") in front of the name, or
# the first he/his or she/her after the name in the sentence where the person is the subject. "She said" then
# skips men.
# Source: by hand from gold errors.
GENDER_OF_WORD = {
    **dict.fromkeys("mr mr. sir lord father brother king prince chairman spokesman congressman businessman "
                    "grandfather widower assemblyman husband son nephew uncle boyfriend he him his himself".split(), "male"),
    **dict.fromkeys("mrs mrs. ms ms. miss dame lady sister queen princess chairwoman spokeswoman congresswoman "
                    "businesswoman grandmother mother widow assemblywoman wife daughter niece aunt girlfriend actress "
                    "she her hers herself".split(), "female"),
}

# --- Sentence scoring (sentences.py) ---

# Words that compare one figure or thing with another. Source: by hand from gold errors.
COMPARISON_WORDS = frozenset({"than", "compared", "versus", "twice", "double", "doubled", "tripled", "halved"})
# "first" and "second" mostly count steps ("the first patient", "a second time"); later ordinals place something
# in a ranking ("fifth in the table", "her 19th goal"), which is a comparison with the rest. Source: by hand.
SEQUENCE_ORDINALS = frozenset({"first", "second"})
# "by a third", "about half", "two fifths": a share is a figure even when it is written in words. Source: by hand.
FRACTION_WORDS = frozenset({"half", "third", "thirds", "quarter", "quarters", "fifth", "fifths", "tenth", "tenths"})
# Words before a fraction word that make it a share ("by a third"), not an ordinal. Source: by hand.
BEFORE_FRACTION = frozenset({"a", "one", "two", "three", "by", "about", "nearly", "almost", "over"})
# Words that claim a cause. Source: by hand from gold errors.
CAUSAL_WORDS = frozenset({"because", "due", "caused", "causes", "cause", "led", "leads", "result", "resulted",
                          "thanks", "owing", "blamed", "triggered", "therefore", "consequently", "hence"})
# Words that predict ("wo" is spaCy's token for the "wo" of "won't"). Source: by hand from gold errors.
PREDICTION_WORDS = frozenset({"will", "'ll", "shall", "wo", "expected", "expects", "forecast", "forecasts",
                              "predicted", "predicts", "projected", "likely", "poised"})
# Modals that say what ought to be, a sign of opinion. Source: by hand.
OBLIGATION_MODALS = frozenset({"should", "must", "ought"})
# Verbs that give an opinion when "I" or "we" is their subject; lemmas. Source: by hand.
OPINION_VERBS = frozenset({"think", "believe", "feel", "hope", "guess", "reckon"})
# Words that hedge, a sign of opinion. Source: by hand.
HEDGE_WORDS = frozenset({"unclear", "uncertain", "perhaps", "maybe", "possibly", "seems", "arguably"})
# Adjectives that judge rather than describe. Source: by hand from gold errors.
EVALUATIVE_ADJECTIVES = frozenset("""
good great bad terrible awful wonderful excellent brilliant fantastic amazing superb marvellous marvelous
horrible dreadful disgraceful shameful outrageous ridiculous absurd unacceptable appalling disappointing
reckless foolish wise stupid silly crucial vital essential important beautiful ugly lovely nice wrong right
fair unfair admirable deplorable pathetic impressive remarkable inspiring exciting boring dangerous
irresponsible sensible welcome regrettable tragic sad happy proud delighted
""".split())
# Month names and abbreviations: a date entity with one pins a date down. Source: by hand.
MONTHS = frozenset("""
january february march april may june july august september october november december jan feb mar apr jun
jul aug sep sept oct nov dec
""".split())
# Day names and relative days: a date entity with one is only roughly placed. Source: by hand.
DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday yesterday today tomorrow tonight".split())
# First-person pronouns: speakers talking about themselves. Source: by hand.
FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
# Subjects of "said she would ...": a stated intention, not yet a fact. Source: by hand from gold errors.
INTENDING_PRONOUNS = frozenset({"i", "we", "he", "she", "it", "they"})
# Words a Title Case heading leaves in lower case. Source: by hand.
SMALL_WORDS = frozenset("a an and as at but by for from in into nor of on or over per the to than vs with".split())

# --- The learned check-worthiness scorer's features (checkworthiness.py) ---
# Frozen: the shipped weights (checkworthiness_weights.json) were trained on exactly these features, so these
# lists must not follow changes to the rules' lists above; change them only with a retrain.

# Verbs whose tense is the reporter's, not the claim's (news puts nearly every sentence in the past through its
# attribution verb), so they give no tense feature; lemmas. Source: by hand when the scorer was written.
REPORTING_VERBS_WITHOUT_TENSE = frozenset("""
say tell add ask announce state claim report explain warn argue insist note write call describe deny admit
suggest confirm reply answer agree testify
""".split())
# Personal pronouns and the feature each gives. Source: by hand when the scorer was written.
PRONOUN_FEATURES = {
    **dict.fromkeys(("i", "me", "my", "mine", "myself"), "pron:first_singular"),
    **dict.fromkeys(("we", "us", "our", "ours", "ourselves"), "pron:first_plural"),
    **dict.fromkeys(("you", "your", "yours", "yourself", "yourselves"), "pron:second"),
}

# --- Parse labels several modules share ---

# spaCy's dependency labels for a clause's subject (English, ClearNLP scheme).
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
