//! The consent table through the HTTP API: for a child on the day before and the day of
//! each birthday that changes the law (12 and 16) and at 17, and for each make-up of the
//! family (one parent, two parents, a parent without gezag, a guardian institution),
//! who must consent before the GP may take part, and what the GP then sees: each family
//! member answers in turn (those without the say first), and the GP reaches the network
//! exactly when the last one with the say has said yes; one withdrawal by someone with
//! the say takes it away again.

use super::world;
use crate::common::*;
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

on_both_backends!(who_must_consent_follows_the_childs_age_and_gezag,);

/// The family make-ups: (label, members as (name, relation, gezag, guardian org)).
const FAMILIES: [(&str, &[(&str, &str, bool, bool)]); 4] = [
    ("one parent", &[("Eva", "ouder", true, false)]),
    (
        "two parents",
        &[
            ("Eva", "ouder", true, false),
            ("Joost", "ouder", true, false),
        ],
    ),
    (
        "a parent without gezag",
        &[
            ("Eva", "ouder", true, false),
            ("Joost", "ouder", false, false),
        ],
    ),
    ("a guardian institution", &[("", "voogd", true, true)]),
];

fn years_before(d: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year() - years, d.month(), d.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(d.year() - years, 3, 1).unwrap())
}

async fn who_must_consent_follows_the_childs_age_and_gezag(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let guardian = app
        .org("Jeugdbescherming Regio Voorbeeld", "zorgaanbieder")
        .await;
    let gp = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let sanne = app.token_for(&w.sanne).await;
    let client = app.client();
    let call = |method: reqwest::Method, path: String, who: String, body: Option<Value>| {
        let (client, app) = (client.clone(), &app);
        async move {
            let mut req = client.request(method, app.url(&path)).bearer_auth(who);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };
    use reqwest::Method;
    let today = rondom_app::dates::today();
    let on = today.format("%Y-%m-%d").to_string();
    // (label, birth date, the youth decides, parents with gezag decide)
    let ages = [
        (
            "11, the day before 12",
            years_before(today, 12).succ_opt().unwrap(),
            false,
            true,
        ),
        (
            "12, the day of the birthday",
            years_before(today, 12),
            true,
            true,
        ),
        (
            "15, the day before 16",
            years_before(today, 16).succ_opt().unwrap(),
            true,
            true,
        ),
        (
            "16, the day of the birthday",
            years_before(today, 16),
            true,
            false,
        ),
        (
            "17",
            years_before(today, 17) - chrono::Duration::days(100),
            true,
            false,
        ),
    ];
    for (age, born, youth_decides, parents_decide) in ages {
        for (family, kin) in FAMILIES {
            let case = format!("{age}, {family}");
            // A referral for this child, accepted, and its network.
            let (status, r) = call(
                Method::POST,
                "/api/v1/referrals".into(),
                gp.clone(),
                Some(json!({
                    "child": {"name": "Noor de Vries", "birth_date": born.format("%Y-%m-%d").to_string(),
                        "gemeente_code": "GM9999"},
                    "to_org_id": w.team, "reason": "Ouders lopen vast in de opvoeding.",
                    "problem_areas": ["opvoeding"]})),
            )
            .await;
            assert_eq!(status, 201, "{case}: {r}");
            let referral = r["referral"]["id"].as_str().unwrap().to_owned();
            let (status, _) = call(
                Method::POST,
                format!("/api/v1/referrals/{referral}/transitions"),
                sanne.clone(),
                Some(json!({"to": "accepted", "case_director_id": w.sanne})),
            )
            .await;
            assert_eq!(status, 200, "{case}");
            let (status, n) = call(
                Method::POST,
                "/api/v1/networks".into(),
                sanne.clone(),
                Some(json!({"referral_id": referral})),
            )
            .await;
            assert_eq!(status, 201, "{case}: {n}");
            let path = format!("/api/v1/networks/{}", n["id"].as_str().unwrap());
            // The family: the make-up, and the youth.
            let mut n = n;
            for (name, relation, gezag, org) in kin
                .iter()
                .chain([("Noor", "jeugdige", false, false)].iter())
            {
                let body = if *org {
                    json!({"relation": relation, "organisation_id": guardian})
                } else {
                    json!({"name": format!("{name} de Vries"), "relation": relation, "gezag": gezag})
                };
                let (status, out) = call(
                    Method::POST,
                    format!("{path}/members"),
                    sanne.clone(),
                    Some(body),
                )
                .await;
                assert_eq!(status, 201, "{case}: {out}");
                n = out;
            }
            let members = n["members"].as_array().unwrap().clone();
            let id_of = |pred: &dyn Fn(&Value) -> bool| -> String {
                members.iter().find(|m| pred(m)).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            };
            let gp_member = id_of(&|m| m["what"].as_str().unwrap_or("").starts_with("huisarts"));
            // Who has the say, by the table; those without it answer first.
            let mut answering: Vec<(String, bool)> = Vec::new();
            for (name, relation, gezag, org) in kin
                .iter()
                .chain([("Noor", "jeugdige", false, false)].iter())
            {
                let id = if *org {
                    id_of(&|m| m["name"] == "Jeugdbescherming Regio Voorbeeld")
                } else {
                    let full = format!("{name} de Vries");
                    id_of(&|m| m["name"] == full.as_str())
                };
                let says = if *relation == "jeugdige" {
                    youth_decides
                } else {
                    parents_decide && *gezag
                };
                answering.push((id, says));
            }
            answering.sort_by_key(|(_, says)| *says);
            let deciders = answering.iter().filter(|(_, s)| *s).count();
            assert!(deciders >= 1, "{case}: someone decides");
            let reach = |who: String| {
                let path = path.clone();
                let call = &call;
                async move {
                    let (status, seen) = call(Method::GET, path, who, None).await;
                    assert_eq!(status, 200);
                    seen["reach"].as_str().unwrap().to_owned()
                }
            };
            let answer = |by: String, given: bool| {
                let (path, call, gp_member, on) =
                    (path.clone(), &call, gp_member.clone(), on.clone());
                let sanne = sanne.clone();
                async move {
                    let (status, out) = call(
                        Method::POST,
                        format!("{path}/consents"),
                        sanne,
                        Some(
                            json!({"grantee_id": gp_member, "categories": ["membership"],
                            "given": given, "by_member_id": by, "how": "mondeling", "on": on}),
                        ),
                    )
                    .await;
                    (status, out)
                }
            };
            assert_eq!(
                reach(gp.clone()).await,
                "exists_only",
                "{case}: before anyone answers"
            );
            let mut said_yes = 0;
            for (by, says) in &answering {
                let (status, out) = answer(by.clone(), true).await;
                assert_eq!(status, 201, "{case}: {out}");
                if *says {
                    said_yes += 1;
                }
                let expected = if said_yes == deciders {
                    "member"
                } else {
                    "exists_only"
                };
                assert_eq!(
                    reach(gp.clone()).await,
                    expected,
                    "{case}: after {said_yes} of {deciders} with the say (this one has the say: {says})"
                );
                let standing = out
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["member_id"] == gp_member.as_str() && c["category"] == "membership")
                    .unwrap()["standing"]
                    .clone();
                assert_eq!(
                    standing,
                    if said_yes == deciders {
                        "given"
                    } else {
                        "waiting"
                    },
                    "{case}"
                );
            }
            // One withdrawal by someone with the say: on the next request the GP is back
            // to who coordinates.
            let (first_decider, _) = answering.iter().find(|(_, s)| *s).unwrap();
            let (status, _) = answer(first_decider.clone(), false).await;
            assert_eq!(status, 201);
            assert_eq!(reach(gp.clone()).await, "exists_only", "{case}: withdrawn");
        }
    }
    app.stop().await;
}
