"""The learned check-worthiness score: features, weights, scores, reasons, and the training command."""
import csv
import io
import json

import pytest
from django.core.management import call_command

from annotations.premark import checkworthiness, training

HEADER = ["Sentence_id", "Text", "Speaker", "Speaker_title", "Speaker_party", "File_id", "Length", "Line_number",
          "Sentiment", "Verdict"]


def span(nlp, text):
    return nlp(text)[:]


def test_a_sentence_with_figures_and_a_comparison_outscores_an_opinion(nlp):
    factual = span(nlp, "Unemployment fell to 4.1 percent in March, lower than at any time since 2008.")
    opinion = span(nlp, "I think we should all be kinder to each other.")
    assert checkworthiness.score(factual) > checkworthiness.score(opinion)
    assert checkworthiness.score(factual) >= 0.5 > checkworthiness.score(opinion)


def test_features_count_the_entities_within_each_sentence_as_spacy_does(nlp):
    doc = nlp("Ada Varn met Bruno Holloway in Corrowby on Monday. The New York Times said so. Prices rose in "
              "March 2024 at Brightwell Mobile, and Elena Dufresne of the Harwick Transport Authority left.")
    # Spans that cut entities off at either end too: those are not in them.
    for span in [*doc.sents, *(doc[start:end] for start in range(12) for end in range(start + 1, 16))]:
        count = len(span.ents)
        assert f"ents:{'3+' if count >= 3 else count}" in checkworthiness.features(span)


def test_a_question_scores_low(nlp):
    assert checkworthiness.score(span(nlp, "What would you do about it?")) < 0.3


def test_top_reasons_name_the_figure_in_a_sentence_with_numbers(nlp):
    reasons = checkworthiness.top_reasons(span(nlp, "The council bought 40 new buses and hired 75 drivers."))
    assert "figure" in reasons


def test_top_reasons_are_readable_and_never_repeat(nlp):
    reasons = checkworthiness.top_reasons(span(nlp, "Prices rose 12 percent, faster than wages, the survey found."), n=4)
    assert 0 < len(reasons) <= 4
    assert len(set(reasons)) == len(reasons)
    assert not any(reason.startswith(("ent:", "tag:", "pos:", "w:", "bi:")) for reason in reasons)


def test_assess_agrees_with_score_and_top_reasons(nlp):
    sentence = span(nlp, "Exports to France doubled between 2019 and 2023.")
    assert checkworthiness.assess(sentence, 2) == (checkworthiness.score(sentence), checkworthiness.top_reasons(sentence, 2))


def test_readable_maps_feature_names_to_words():
    assert checkworthiness.readable("ent:PERCENT") == "percentage"
    assert checkworthiness.readable("like_num") == "figure"
    assert checkworthiness.readable("tag:JJR") == "comparison"
    assert checkworthiness.readable("w:rate") == '"rate"'
    assert checkworthiness.readable("bi:<num>_percent") == '"N percent"'


def test_the_weights_file_loads_and_says_where_it_came_from():
    weights = checkworthiness.load_weights()
    assert weights.weights and isinstance(weights.bias, float)
    provenance = weights.provenance
    assert provenance["data"]["file"] == "crowdsourced.csv"
    assert len(provenance["data"]["sha256"]) == 64
    assert provenance["data"]["rows_used"] > 0
    assert "groundtruth.csv" in provenance["data"]["rows_dropped_for_overlap"]
    assert 0 < weights.threshold < 1
    assert checkworthiness.WEIGHTS_PATH.stat().st_size < 1_000_000
    assert provenance["hyper_parameters"]["dense_l2"] > 0


def test_features_never_carry_more_than_a_word_of_the_text(nlp):
    text = "Senator Alma Quist said the new bridge over the Vell river cost 12,500,000 euros in 2021."
    found = checkworthiness.features(span(nlp, text))
    assert found and len(found) == len(set(found))
    for feature in found:
        assert " " not in feature
        assert all(len(part) <= checkworthiness.LONGEST_LEMMA + 2 for part in feature.partition(":")[2].split("_"))
    assert not any("quist" in f or "alma" in f or "vell" in f or "12,500,000" in f for f in found)
    assert {"like_num", "ent:DATE"} <= set(found)


def test_features_see_questions_comparatives_modals_and_pronouns(nlp):
    found = set(checkworthiness.features(span(nlp, "Will we really build more homes than they did?")))
    assert {"question", "tag:JJR", "modal:will", "pron:first_plural"} <= found


def test_features_see_the_main_verb_its_subject_and_how_many_names_and_figures(nlp):
    found = set(checkworthiness.features(span(nlp, "Exports from Ostrava grew 8 percent in 2022.")))
    assert {"root:VBD", "rootw:grow", "subj:NOUN", "nums:2+", "pb:NUM_NOUN"} <= found
    assert any(feature.startswith("ents:") for feature in found)


def test_sentence_shape_features_are_never_reasons():
    for feature in ["pb:NUM_NOUN", "ents:3+", "nums:2+", "root:VBD", "subj:we", "len:11-20"]:
        assert not checkworthiness._is_reason(feature, 5.0)
    assert checkworthiness._is_reason("rootw:rise", 0.5)
    assert checkworthiness.readable("rootw:rise") == '"rise"'


@pytest.mark.parametrize("text", [
    "Yes.", "Thank you very much, everyone, for coming tonight.",
    "The company reported a loss of 2.3 billion dollars, its largest since 1998, and cut 4,000 jobs.",
])
def test_score_is_a_probability(nlp, text):
    assert 0.0 <= checkworthiness.score(span(nlp, text)) <= 1.0


def test_training_is_deterministic_and_prunes_rare_features():
    rows = [["like_num", "w:rise"], ["like_num", "w:fall"], ["question", "w:think"], ["question"], ["like_num", "w:once"]]
    labels = [True, True, False, False, True]
    first = training.train(rows, labels, l2=1.0, epochs=100, min_count=2, min_weight=0.0)
    second = training.train(rows, labels, l2=1.0, epochs=100, min_count=2, min_weight=0.0)
    assert first == second
    assert set(first.weights) == {"like_num", "question"}
    assert first.weights["like_num"] > 0 > first.weights["question"]


def write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for number, (text, verdict) in enumerate(rows, start=1):
            writer.writerow([number, text, "Speaker", "", "", "debate.txt", len(text.split()), number, 0.0, verdict])


TRAINING_ROWS = [
    ("Rents rose by 9 percent last year.", 1),
    ("The city cut 200 jobs in 2022.", 1),
    ("Wages fell 3 percent while prices climbed.", 1),
    ("The deficit doubled to 40 billion dollars.", 1),
    ("Crime dropped 12 percent since 2019.", 1),
    ("We built 5,000 homes in four years.", 1),
    ("I think that is a wonderful idea.", -1),
    ("Thank you for having me.", -1),
    ("What would you say to them?", -1),
    ("I believe in this country.", -1),
    ("That is simply not fair.", 0),
    ("Let me answer the question.", -1),
]


def test_training_writes_weights_with_provenance_and_drops_excluded_rows(nlp, tmp_path):
    data, excluded, output = tmp_path / "tiny.csv", tmp_path / "held_back.csv", tmp_path / "weights.json"
    write_rows(data, TRAINING_ROWS)
    write_rows(excluded, [("  the CITY cut 200 jobs in 2022 ", 1)])  # same words, other case and spacing

    out = io.StringIO()
    call_command("train_checkworthiness", data=data, exclude=[excluded], output=output, epochs=50, min_count=1, stdout=out)

    written = json.loads(output.read_text(encoding="utf-8"))
    counts = written["provenance"]["data"]
    assert counts["rows_read"] == 12
    assert counts["rows_dropped_for_overlap"] == {"held_back.csv": 1}
    assert counts["rows_used"] == 11
    assert counts["rows_train"] + counts["rows_validation"] == 11
    assert written["provenance"]["hyper_parameters"]["epochs"] == 50
    assert written["weights"] and isinstance(written["bias"], float)
    assert "11 rows used (1 dropped for overlap)" in out.getvalue()


def test_training_with_dry_run_writes_nothing(nlp, tmp_path):
    data, output = tmp_path / "tiny.csv", tmp_path / "weights.json"
    write_rows(data, TRAINING_ROWS)
    call_command("train_checkworthiness", data=data, exclude=[], output=output, epochs=5, min_count=1, dry_run=True,
                 stdout=io.StringIO())
    assert not output.exists()


def test_dense_features_are_the_mean_of_the_sentences_tok2vec_rows_and_never_reasons(nlp):
    sentence = span(nlp, "Exports to France doubled between 2019 and 2023.")
    vector = checkworthiness.dense_features(sentence)
    assert vector is not None
    assert len(vector) == len(checkworthiness.load_weights().dense) == sentence.doc.tensor.shape[1]
    assert abs(float(vector[0]) - float(sentence.doc.tensor[:, 0].mean())) < 1e-5
    reasons = checkworthiness.top_reasons(sentence, n=10)
    assert reasons and all(reason in checkworthiness.READABLE.values() or reason.startswith('"') for reason in reasons)


def test_training_with_dense_features_folds_their_scaling_into_the_weights():
    rows, labels = [["x"], ["x"], ["y"], ["y"]], [True, True, False, False]
    dense = [[10.0, 1.0], [12.0, 1.0], [0.0, 1.0], [2.0, 1.0]]
    fit = training.train(rows, labels, l2=1.0, epochs=100, min_count=1, min_weight=0.0,
                                dense=dense, dense_l2=1.0)
    assert len(fit.dense) == 2 and fit.dense[0] > 0
    scores = training.predict(rows, fit.bias, fit.weights, dense, fit.dense)
    assert scores[0] > 0.5 > scores[2]


def test_a_pipeline_without_the_tensor_still_scores_with_the_word_features(nlp, caplog):
    sentence = span(nlp, "Exports to France doubled between 2019 and 2023.")
    with_tensor = checkworthiness.score(sentence)
    sentence.doc.tensor = sentence.doc.tensor[:, :0]  # as a pipeline without tok2vec leaves it
    checkworthiness._warn_without_dense.cache_clear()  # the warning comes once per process
    without = checkworthiness.score(sentence)
    assert 0 < without < 1 and without != with_tensor
    assert "word features only" in caplog.text


def test_average_precision_ranks_by_score_and_keeps_ties_in_order():
    assert training.average_precision([0.9, 0.8, 0.1], [True, False, True]) == pytest.approx((1 + 2 / 3) / 2)
    assert training.average_precision([0.5, 0.5], [False, True]) == pytest.approx(1 / 2)
    assert training.average_precision([0.5, 0.4], [False, False]) is None
