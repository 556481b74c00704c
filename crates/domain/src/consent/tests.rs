use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Born 15 June 2010: 12 on 15 June 2022, 16 on 15 June 2026.
const BIRTH: (i32, u32, u32) = (2010, 6, 15);

fn birth() -> NaiveDate {
    day(BIRTH.0, BIRTH.1, BIRTH.2)
}

fn member(id: &str, relation: Relation, gezag: bool) -> FamilyMember {
    FamilyMember {
        id: id.into(),
        relation,
        gezag,
    }
}

/// The families of the table: who is in them.
fn family(kind: &str) -> Vec<FamilyMember> {
    let youth = member("y", Relation::Jeugdige, false);
    match kind {
        "one parent" => vec![member("p1", Relation::Ouder, true), youth],
        "two parents" => vec![
            member("p1", Relation::Ouder, true),
            member("p2", Relation::Ouder, true),
            youth,
        ],
        "parent without gezag" => vec![
            member("p1", Relation::Ouder, true),
            member("p3", Relation::Ouder, false),
            youth,
        ],
        _ => vec![member("gi", Relation::Voogd, true), youth],
    }
}

fn ids(v: Vec<&FamilyMember>) -> Vec<&str> {
    let mut out: Vec<&str> = v.into_iter().map(|m| m.id.as_str()).collect();
    out.sort_unstable();
    out
}

/// Per family: who must consent.
type Deciders = &'static [(&'static str, &'static [&'static str])];

#[test]
fn who_decides_ages_with_the_child() {
    // (day, families → who must consent)
    let table: &[(NaiveDate, Deciders)] = &[
        (
            day(2021, 9, 1), // 11
            &[
                ("one parent", &["p1"]),
                ("two parents", &["p1", "p2"]),
                ("parent without gezag", &["p1"]),
                ("guardian organisation", &["gi"]),
            ],
        ),
        (
            day(2022, 6, 14), // the day before turning 12
            &[
                ("two parents", &["p1", "p2"]),
                ("guardian organisation", &["gi"]),
            ],
        ),
        (
            day(2022, 6, 15), // 12 today
            &[
                ("one parent", &["p1", "y"]),
                ("two parents", &["p1", "p2", "y"]),
                ("parent without gezag", &["p1", "y"]),
                ("guardian organisation", &["gi", "y"]),
            ],
        ),
        (
            day(2025, 12, 1), // 15
            &[("two parents", &["p1", "p2", "y"])],
        ),
        (
            day(2026, 6, 14), // the day before turning 16
            &[("parent without gezag", &["p1", "y"])],
        ),
        (
            day(2026, 6, 15), // 16 today
            &[
                ("one parent", &["y"]),
                ("two parents", &["y"]),
                ("parent without gezag", &["y"]),
                ("guardian organisation", &["y"]),
            ],
        ),
        (day(2027, 8, 1), &[("two parents", &["y"])]), // 17
    ];
    for (on, rows) in table {
        for (kind, want) in *rows {
            let f = family(kind);
            assert_eq!(
                ids(deciders(birth(), *on, &f)),
                want.to_vec(),
                "{kind} on {on}"
            );
        }
    }
}

fn answer(by: &str, on: NaiveDate, given: bool) -> Answer {
    Answer {
        by: by.into(),
        on,
        given,
    }
}

#[test]
fn under_twelve_every_parent_with_gezag_must_agree() {
    let f = family("two parents");
    let on = day(2021, 9, 1);
    let one = [answer("p1", day(2021, 8, 1), true)];
    assert_eq!(
        standing(birth(), on, &f, &one),
        Standing::Waiting(vec!["p2".into()])
    );
    let both = [one[0].clone(), answer("p2", day(2021, 8, 2), true)];
    assert_eq!(standing(birth(), on, &f, &both), Standing::Given);
    // A later withdrawal by either ends it.
    let withdrawn = [
        both[0].clone(),
        both[1].clone(),
        answer("p2", day(2021, 8, 20), false),
    ];
    assert_eq!(standing(birth(), on, &f, &withdrawn), Standing::Refused);
    // A parent without gezag has no say, either way.
    let f = family("parent without gezag");
    let p3 = [answer("p3", day(2021, 8, 1), true)];
    assert_eq!(
        standing(birth(), on, &f, &p3),
        Standing::Waiting(vec!["p1".into()])
    );
    let p3_refuses = [
        answer("p1", day(2021, 8, 1), true),
        answer("p3", day(2021, 8, 2), false),
    ];
    assert_eq!(standing(birth(), on, &f, &p3_refuses), Standing::Given);
    // A guardian organisation decides as parents do.
    let f = family("guardian organisation");
    assert_eq!(
        standing(birth(), on, &f, &[answer("gi", day(2021, 8, 1), true)]),
        Standing::Given
    );
}

#[test]
fn turning_twelve_keeps_what_was_agreed_until_the_youth_answers() {
    let f = family("one parent");
    let before = [answer("p1", day(2022, 1, 10), true)];
    // The day before: the parent's consent is all there is to it.
    assert_eq!(
        standing(birth(), day(2022, 6, 14), &f, &before),
        Standing::Given
    );
    // From the birthday it stays, until the youth answers.
    let twelve = day(2022, 6, 15);
    assert_eq!(
        standing(birth(), twelve, &f, &before),
        Standing::GivenBeforeTwelve
    );
    assert!(standing(birth(), twelve, &f, &before).holds());
    let youth_no = [before[0].clone(), answer("y", twelve, false)];
    assert_eq!(standing(birth(), twelve, &f, &youth_no), Standing::Refused);
    let youth_yes = [before[0].clone(), answer("y", twelve, true)];
    assert_eq!(standing(birth(), twelve, &f, &youth_yes), Standing::Given);
    // Nothing new without the youth: the parent's consent after 12 alone is not enough.
    let after = [answer("p1", day(2023, 1, 1), true)];
    assert_eq!(
        standing(birth(), day(2023, 2, 1), &f, &after),
        Standing::Waiting(vec!["y".into()])
    );
}

#[test]
fn from_sixteen_the_youth_alone_decides() {
    let f = family("two parents");
    let parents = [
        answer("p1", day(2025, 1, 1), true),
        answer("p2", day(2025, 1, 1), true),
    ];
    // 15: parents and youth; the youth has not answered.
    assert_eq!(
        standing(birth(), day(2026, 6, 14), &f, &parents),
        Standing::Waiting(vec!["y".into()])
    );
    // 16: the parents' say has ended; only the youth's answer counts.
    assert_eq!(
        standing(birth(), day(2026, 6, 15), &f, &parents),
        Standing::Waiting(vec!["y".into()])
    );
    let mut all = parents.to_vec();
    all.push(answer("p1", day(2026, 7, 1), false));
    all.push(answer("y", day(2026, 7, 2), true));
    assert_eq!(
        standing(birth(), day(2026, 8, 1), &f, &all),
        Standing::Given,
        "a parent's refusal no longer counts"
    );
    // The youth not yet in the network is asked all the same.
    let no_youth = vec![member("p1", Relation::Ouder, true)];
    assert_eq!(
        standing(birth(), day(2026, 8, 1), &no_youth, &[]),
        Standing::Waiting(vec![YOUTH_NOT_IN_NETWORK.into()])
    );
}

#[test]
fn who_sees_without_a_grant_of_their_own() {
    let p1 = member("p1", Relation::Ouder, true);
    let p3 = member("p3", Relation::Ouder, false);
    let y = member("y", Relation::Jeugdige, false);
    let table = [
        (day(2021, 9, 1), [true, false, false]),
        (day(2022, 6, 15), [true, false, true]),
        (day(2026, 6, 14), [true, false, true]),
        (day(2026, 6, 15), [false, false, true]),
    ];
    for (on, [parent, without, youth]) in table {
        assert_eq!(
            decides(birth(), on, &p1),
            parent,
            "parent with gezag on {on}"
        );
        assert_eq!(
            decides(birth(), on, &p3),
            without,
            "parent without gezag on {on}"
        );
        assert_eq!(decides(birth(), on, &y), youth, "youth on {on}");
    }
}

#[test]
fn a_leap_day_birthday_counts_from_the_first_of_march() {
    let leap = day(2012, 2, 29);
    assert_eq!(birthday(leap, 12), day(2024, 2, 29));
    assert_eq!(birthday(leap, 16), day(2028, 2, 29));
    assert_eq!(birthday(leap, 13), day(2025, 3, 1));
    assert_eq!(Band::on(leap, day(2028, 2, 28)), Band::From12To15);
    assert_eq!(Band::on(leap, day(2028, 2, 29)), Band::From16);
}

#[test]
fn codes_read_back() {
    for r in Relation::ALL {
        assert_eq!(Relation::parse(r.code()), Some(r));
    }
    for c in Category::ALL {
        assert_eq!(Category::parse(c.code()), Some(c));
    }
    assert_eq!(Category::parse("geheim"), None);
}

#[test]
fn an_item_kept_from_the_parents_is_hidden_from_12_and_never_from_the_youth() {
    let parent = member("p1", Relation::Ouder, true);
    let carer = member("pl", Relation::Pleegouder, false);
    let youth = member("y", Relation::Jeugdige, false);
    let eve_of_12 = day(2022, 6, 14);
    let day_of_12 = day(2022, 6, 15);
    assert!(!may_keep_from_parents(birth(), eve_of_12));
    assert!(!kept_from(birth(), eve_of_12, &parent));
    assert!(may_keep_from_parents(birth(), day_of_12));
    for on in [
        day_of_12,
        day(2026, 6, 14),
        day(2026, 6, 15),
        day(2027, 1, 1),
    ] {
        assert!(kept_from(birth(), on, &parent), "parent on {on}");
        assert!(kept_from(birth(), on, &carer), "carer on {on}");
        assert!(!kept_from(birth(), on, &youth), "youth on {on}");
    }
}
