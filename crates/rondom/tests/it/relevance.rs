//! The sociale kaart's relevance set: what a GP or POH types, and the demo services that
//! must be among the first five the page shows. A change to matching, synonyms or
//! ranking that loses one of these fails here, with every miss listed at once.

use crate::common::*;
use rondom_app::directory::index::{Filter, SearchIndex};
use rondom_domain::search::Query;

on_both_backends!(
    the_first_five_hold_what_a_gp_looks_for,
    a_course_in_every_wijk_shows_once_with_its_places,
);

/// (what is typed, services that must be in the first five, by name; a copy of a
/// course in a wijk is named "<name> (wijk …)" and counts).
const SET: &[(&str, &[&str])] = &[
    ("opvoeden", &["Cursus Positief Opvoeden", "Opvoedwinkel"]),
    ("opvoedingsondersteuning", &["Opvoedondersteuning"]),
    ("opvoedondersteunig", &["Opvoedondersteuning"]),
    ("opvoeden 9 jaar", &["Cursus Positief Opvoeden"]),
    ("eetproblemen", &["Eetstoornissen jeugd"]),
    ("anorexia", &["Eetstoornissen jeugd"]),
    ("rouw", &["Rouwverwerking kinderen"]),
    ("overleden", &["Rouwverwerking kinderen"]),
    (
        "blowen",
        &["Verslavingszorg jongeren", "Voorlichting alcohol en drugs"],
    ),
    (
        "cannabis",
        &["Verslavingszorg jongeren", "Voorlichting alcohol en drugs"],
    ),
    (
        "alcohol",
        &["Voorlichting alcohol en drugs", "Jongerenwerk Voorbeeld"],
    ),
    ("gamen", &["Gameverslaving ouderavond"]),
    ("angstig", &["Behandeling angst en somberheid"]),
    (
        "angst",
        &["Behandeling angst en somberheid", "Faalangsttraining"],
    ),
    ("faalangst", &["Faalangsttraining"]),
    ("somber", &["Behandeling angst en somberheid"]),
    ("depressie", &["Behandeling angst en somberheid"]),
    (
        "slaapproblemen",
        &["Opvoedspreekuur consultatiebureau", "Opvoedondersteuning"],
    ),
    ("slecht slapen", &["Opvoedspreekuur consultatiebureau"]),
    ("driftbuien", &["Opvoedondersteuning"]),
    ("boos", &["Weerbaarheidstraining Rots en Water"]),
    ("gepest", &["Weerbaarheidstraining Rots en Water"]),
    (
        "pesten",
        &["Weerbaarheidstraining Rots en Water", "Meidengroep Sterk"],
    ),
    ("scheiding", &["Scheiden met kinderen"]),
    ("gescheiden ouders", &["Scheiden met kinderen"]),
    ("schulden", &["Schuldhulp voor gezinnen", "Budgetcoaching"]),
    ("geldzorgen", &["Schuldhulp voor gezinnen"]),
    ("armoede", &["Sport- en cultuurfonds"]),
    ("adhd", &["Diagnostiek en behandeling ADHD"]),
    ("concentratie", &["Diagnostiek en behandeling ADHD"]),
    ("druk kind", &["Diagnostiek en behandeling ADHD"]),
    ("autisme", &["Training sociale vaardigheden autisme"]),
    (
        "huiselijk geweld",
        &["Advies bij zorgen over huiselijk geweld"],
    ),
    (
        "kindermishandeling",
        &["Advies bij zorgen over huiselijk geweld"],
    ),
    ("schoolverzuim", &["Aanpak schoolverzuim"]),
    ("spijbelen", &["Aanpak schoolverzuim"]),
    ("dyslexie", &["Dyslexiezorg"]),
    ("taalachterstand", &["Taalontwikkeling peuters"]),
    ("praten peuter", &["Taalontwikkeling peuters"]),
    ("motoriek", &["Motorische ontwikkeling"]),
    ("trauma", &["Traumabehandeling EMDR"]),
    ("huiswerkbegeleidng", &["Huiswerkbegeleiding in de wijk"]),
    ("mantelzorger", &["Mantelzorg jonge mantelzorgers"]),
    ("eenzaam", &["Maatjesproject Samen Sterk"]),
    ("overgewicht", &["Gezonde leefstijl voor gezinnen"]),
    ("sporten", &["Buurtsport na school"]),
    ("suicidaal", &["Crisisdienst jeugd"]),
    ("tics", &["Behandeling dwang en tics"]),
    ("psychose", &["Psychose-zorg jongvolwassenen"]),
    ("zelfstandig wonen", &["Begeleiding zelfstandig wonen 18-"]),
    ("ondertoezichtstelling", &["Gezinsvoogdij"]),
    ("overlast", &["Straatcoaches"]),
    ("stage", &["Talentcoaching 16+"]),
    ("baby", &["Stevig Ouderschap"]),
];

/// What the page lists first for `text` (each course once), by name.
fn first_five(index: &SearchIndex, text: &str) -> Vec<String> {
    let q = Query::parse(text);
    let (_, hits) = index.search(
        &Filter {
            text: &q,
            age: q.age,
            category: "",
            access_route: "",
            problem_area: "",
            max_wait: None,
            organisation_id: None,
            place: None,
            from: None,
            fold_copies: true,
        },
        5,
    );
    hits.iter().map(|h| h.entry.row.name.clone()).collect()
}

async fn demo_index(b: Backend) -> (TestApp, SearchIndex) {
    let app = TestApp::start(b).await;
    app.load_demo().await;
    let index = app.db.read(SearchIndex::load).await.unwrap();
    (app, index)
}

async fn the_first_five_hold_what_a_gp_looks_for(b: Backend) {
    let (app, index) = demo_index(b).await;
    assert!(SET.len() >= 50, "the set holds fifty queries");
    let mut misses = Vec::new();
    for (text, wanted) in SET {
        let found = first_five(&index, text);
        for w in *wanted {
            let is =
                |n: &String| n == w || n.strip_prefix(w).is_some_and(|r| r.starts_with(" (wijk"));
            if !found.iter().any(is) {
                misses.push(format!("‘{text}’ misses {w}; first five: {found:?}"));
            }
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));

    // The main concern first: not ADHD care for eating problems, grief first for grief.
    assert_eq!(
        first_five(&index, "eetproblemen")[0],
        "Eetstoornissen jeugd"
    );
    assert_eq!(first_five(&index, "rouw")[0], "Rouwverwerking kinderen");
    // No service has both words: the one with the word that says what is wrong first.
    assert_eq!(
        first_five(&index, "druk kind")[0],
        "Diagnostiek en behandeling ADHD"
    );
    assert!(
        !first_five(&index, "eetproblemen")
            .iter()
            .any(|n| n.contains("ADHD"))
    );
    // Light and preventive help before specialised care where both fit as well: the
    // orthopedagogue's talks about upbringing come after the team's and the courses.
    let opvoeden = first_five(&index, "opvoeding");
    let specialised = opvoeden
        .iter()
        .position(|n| n == "Oudergesprekken opvoeding");
    assert!(
        specialised.is_none_or(|p| p >= 2),
        "light help first: {opvoeden:?}"
    );
    app.stop().await;
}

async fn a_course_in_every_wijk_shows_once_with_its_places(b: Backend) {
    let (app, index) = demo_index(b).await;
    let q = Query::parse("opvoedwinkel");
    let filter = |fold_copies| Filter {
        text: &q,
        age: None,
        category: "",
        access_route: "",
        problem_area: "",
        max_wait: None,
        organisation_id: None,
        place: None,
        from: None,
        fold_copies,
    };
    let (every, _) = index.search(&filter(false), 50);
    let (total, hits) = index.search(&filter(true), 50);
    assert!(every >= 5, "the demo gives the Opvoedwinkel in every wijk");
    assert_eq!(total, 1, "one course, shown once");
    assert_eq!(hits[0].copies.len() + 1, every, "with all its places");
    let places: Vec<String> = std::iter::once(hits[0].entry)
        .chain(hits[0].copies.iter().copied())
        .flat_map(|e| index.places_of(e))
        .collect();
    assert!(
        places
            .iter()
            .all(|p| !p.contains("WK") && !p.contains("GM")),
        "places by name: {places:?}"
    );

    // The page says so, and links each place.
    let practice = app.org("Praktijk Test", "huisartsenpraktijk").await;
    app.user("gp@test.example", Some(&practice), &["huisarts"])
        .await;
    let gp = logged_in(&app, "gp@test.example").await;
    let page = fetch_page(&app, &gp, "/sociale-kaart?q=opvoedwinkel").await;
    assert!(page.contains("1 resultaat"), "{page}");
    assert!(page.contains(&format!("Op {every} plekken")), "{page}");
    assert!(
        page.contains(">Opvoedwinkel</a>"),
        "the course by its own name"
    );
    let page = fetch_page(&app, &gp, "/sociale-kaart?q=slecht+slapen").await;
    assert!(
        page.contains("Gezocht zonder ‘slecht’"),
        "an unknown word is said, not silently dropped"
    );
    assert!(page.contains("Opvoedspreekuur consultatiebureau"));
    let page = fetch_page(&app, &gp, "/sociale-kaart?q=druk+kind").await;
    assert!(
        page.contains("Geen aanbod heeft al deze woorden"),
        "a partial match is said as such"
    );
    assert!(page.contains("Diagnostiek en behandeling ADHD"));
    app.stop().await;
}
