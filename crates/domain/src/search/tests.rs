use super::*;

fn score(query: &str, text: &str) -> f32 {
    Query::parse(query).score(&Document::new(text))
}

#[test]
fn folding_removes_case_and_accents() {
    assert_eq!(fold("Coördinatie & Café-Één"), "coordinatie   cafe een");
    assert_eq!(words("De cursus voor ouders"), vec!["cursus", "ouders"]);
}

#[test]
fn word_forms_share_a_snowball_stem() {
    assert_eq!(stem("opvoeden"), "opvoed");
    assert_eq!(stem("opvoeding"), "opvoed");
    assert_eq!(stem("ondersteuning"), stem("ondersteunen"));
    assert_eq!(stem("somberheid"), stem("somber"));
    assert_eq!(stem("gezin"), "gezin", "short and plain words stay");
    assert_eq!(stem("12"), "12");
}

#[test]
fn forms_compounds_and_typos_find_the_course() {
    let course =
        "Opvoedondersteuning: cursus Positief Opvoeden voor ouders van kinderen van 4 tot 12 jaar";
    for q in [
        "opvoeden",
        "opvoeding",
        "opvoedingsondersteuning",
        "ondersteuning",
        "opvoedondersteunig",
        "OPVOEDEN",
        "opvoéden",
        "kind",
    ] {
        assert!(score(q, course) > 0.0, "{q} should find the course");
    }
    for q in ["schulden", "verslaving", "dyslexie"] {
        assert_eq!(score(q, course), 0.0, "{q} should not");
    }
}

#[test]
fn a_word_is_not_found_in_pieces_of_other_words() {
    // The old trigram search pooled letters over the whole text and found these.
    assert_eq!(score("rouw", "Rots en Water: meer zelfvertrouwen"), 0.0);
    assert_eq!(score("rouw", "vertrouwen in eigen kunnen"), 0.0);
    assert_eq!(
        score("eetproblemen", "Diagnostiek bij concentratieproblemen"),
        0.0
    );
    assert!(score("rouw", "Rouwverwerking kinderen") >= vocabulary::START);
    assert!(score("problemen", "concentratieproblemen") >= vocabulary::INSIDE);
}

#[test]
fn the_words_people_use_find_the_words_providers_write() {
    assert!(score("blowen", "Middelengebruik en verslaving") > 0.0);
    assert!(score("angstig", "Behandeling angst en somberheid") > 0.0);
    assert!(score("eetproblemen", "Eetstoornissen jeugd") > 0.0);
    assert!(score("slaapproblemen", "Baby's die slecht slapen") > 0.0);
    assert!(score("woedeaanvallen", "hulp bij driftbuien") > 0.0);
    // The typed word counts more than a synonym.
    assert!(score("cannabis", "cannabis") > score("cannabis", "middelengebruik"));
    // A known word is never read as someone else's typo.
    assert_eq!(score("pesten", "testen en meten"), 0.0);
}

#[test]
fn every_term_must_be_found_and_whole_words_rank_higher() {
    let a = Document::new("Opvoedondersteuning voor gezinnen");
    let b = Document::new("Opvoeden en schulden: hulp voor gezinnen");
    let q = Query::parse("opvoeden schulden");
    assert_eq!(q.score(&a), 0.0);
    assert!(q.score(&b) > 0.9);
    let exact = score("opvoeding", "Opvoeding");
    let start = score("opvoeding", "Opvoedwinkel");
    let typo = score("opvoedng", "Opvoeding");
    assert!(
        exact > start && start > typo && typo > 0.0,
        "{exact} {start} {typo}"
    );
}

#[test]
fn ages_are_taken_out_of_the_text() {
    let q = Query::parse("opvoeden 9 jaar");
    assert_eq!(q.age, Some(9));
    assert_eq!(q.terms.len(), 1);
    assert_eq!(q.terms[0].word(), "opvoeden");
    assert_eq!(Query::parse("12-jarige").age, Some(12));
    assert_eq!(Query::parse("angst 15").age, Some(15));
    assert_eq!(Query::parse("angst").age, None);
    assert!(Query::parse("").terms.is_empty());
}

#[test]
fn a_query_is_bounded() {
    let long = "opvoeden ".repeat(10_000);
    let q = Query::parse(&long);
    assert_eq!(q.terms.len(), 1, "a repeated word counts once");
    let many: String = (0..50).map(|i| format!("woord{i} ")).collect();
    assert_eq!(Query::parse(&many).terms.len(), MAX_TERMS);
    assert!(
        Query::parse("blowen")
            .terms
            .iter()
            .all(|t| t.alternatives.len() <= 25)
    );
}
