//! Case meetings (casuïstiekoverleg, issue 16) through the API and the pages: the agenda
//! built from the work, an item anonymised for a participant without the family's
//! consent (and the organiser told for whom), a decision's actions landing in the
//! child's plan as a new version with the family told, a parent invited to their own
//! child's item seeing only that item, and a schedule with bad input refused.

use super::messages::{Api, Family, family};
use super::{World, world};
use crate::common::*;
use serde_json::{Value, json};

on_both_backends!(
    a_meetings_decision_lands_in_the_plan_and_each_sees_only_what_they_may,
    the_agenda_is_built_from_the_work_and_bad_input_is_refused,
);

fn in_days(n: i64) -> String {
    (rondom_app::dates::today() + chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

async fn first_plan(api: &Api<'_>, f: &Family, evaluation_in: i64, late_action: bool) -> Value {
    let due = if late_action {
        in_days(-3)
    } else {
        in_days(10)
    };
    let (s, p) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/plan/versions", f.network),
            &f.sanne,
            Some(json!({"base_version": 0, "situation": "Onrustig thuis.",
                "goals": [{"title": "Noor slaapt weer door", "agreements": [
                    {"what": "Slaapdagboek", "owner_member_id": f.eva_member, "due_on": due}]}],
                "evaluation_on": in_days(evaluation_in)})),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p
}

async fn schedule(api: &Api<'_>, w: &World, token: &str, participants: Vec<String>) -> String {
    let (s, m) = api
        .call(
            "POST",
            "/api/v1/meetings",
            token,
            Some(
                json!({"team_id": w.team, "title": "Casuïstiekoverleg wijk Zuid",
                "starts_at": format!("{}T14:00", in_days(2)), "place": "Wijkcentrum De Kern",
                "participant_ids": participants}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    m["id"].as_str().unwrap().to_owned()
}

async fn a_meetings_decision_lands_in_the_plan_and_each_sees_only_what_they_may(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let plan = first_plan(&api, &f, 60, false).await;
    let goal = plan["current"]["goals"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let poh_id = app.user_id("poh@linde.example").await;
    let poh = app.token_for(&poh_id).await;
    let leader_id = app.user_id("leider@team.example").await;
    let meeting = schedule(&api, &w, &f.sanne, vec![poh_id.clone(), leader_id]).await;
    let path = format!("/api/v1/meetings/{meeting}");

    // Sanne brings Noor in; she coordinates her network.
    let (s, m) = api
        .call(
            "POST",
            &format!("{path}/items"),
            &f.sanne,
            Some(json!({"network_id": f.network, "question": "Is jeugd-ggz nodig?"})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let item = m["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(m["items"][0]["child"], "Noor de Vries (8 jaar)");
    let mut anonymous_for: Vec<String> = m["items"][0]["anonymous_for"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    anonymous_for.sort();
    assert_eq!(anonymous_for, vec!["Test leider", "Test poh"], "{m}");
    // The same item twice is refused.
    let (s, e) = api
        .call(
            "POST",
            &format!("{path}/items"),
            &f.sanne,
            Some(json!({"network_id": f.network})),
        )
        .await;
    assert_eq!(s, 422, "{e}");

    // The POH, without the family's consent, sees the item without the child.
    let (s, seen) = api.call("GET", &path, &poh, None).await;
    assert_eq!(s, 200, "{seen}");
    let it = &seen["items"][0];
    assert_eq!(it["anonymous"], true);
    assert_eq!(it["child"], "Een kind van 8 jaar");
    assert!(
        it["network_id"].is_null() && it["question"].is_null(),
        "{seen}"
    );
    assert!(!seen.to_string().contains("Noor"), "{seen}");
    // Nor can she bring the child in.
    let (s, _) = api
        .call(
            "POST",
            &format!("{path}/items"),
            &poh,
            Some(json!({"network_id": f.network})),
        )
        .await;
    assert_eq!(s, 404);

    // Sanne records the decision with an action for Eva: a new plan version.
    let (s, m) = api
        .call(
            "POST",
            &format!("{path}/items/{item}/minutes"),
            &f.sanne,
            Some(json!({"discussion": "Slapen gaat beter, school nog niet.",
                "decisions": "Aanmelden bij de jeugd-ggz.",
                "goal_key": goal,
                "actions": [{"what": "Aanmeldformulier jeugd-ggz invullen", "owner_member_id": f.eva_member,
                    "due_on": in_days(14)}]})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["items"][0]["minutes"]["plan_version"], 2);
    let (s, p) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/plan", f.network),
            &f.eva,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(p["current"]["number"], 2);
    assert_eq!(p["current"]["source"], "meeting");
    let added = &p["current"]["goals"][0]["agreements"][1];
    assert_eq!(added["what"], "Aanmeldformulier jeugd-ggz invullen");
    assert_eq!(added["from_meeting"], true);
    let eva_id = app.user_id("eva@gezin.example").await;
    let notices = app
        .db
        .read(move |c| rondom_db::consultations::unread(c, &eva_id))
        .await
        .unwrap();
    assert!(
        notices
            .iter()
            .any(|(_, t, _, _)| t.contains("na het overleg")),
        "{notices:?}"
    );
    // An action for someone outside the plan is refused.
    let (s, e) = api
        .call(
            "POST",
            &format!("{path}/items/{item}/minutes"),
            &f.sanne,
            Some(json!({"decisions": "x", "actions": [{"what": "Iets", "owner_member_id": f.gp_member}]})),
        )
        .await;
    assert_eq!(s, 422, "{e}");

    // Eva is not at the meeting, until invited to Noor's item; then she sees that item
    // only (a second child is on the agenda too).
    let (s, _) = api.call("GET", &path, &f.eva, None).await;
    assert_eq!(s, 404);
    let daan = second_network(&api, &w, &f).await;
    let (s, m) = api
        .call(
            "POST",
            &format!("{path}/items"),
            &f.sanne,
            Some(json!({"network_id": daan})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["items"].as_array().unwrap().len(), 2);
    let sanne = logged_in(&app, "sanne@team.example").await;
    let r = super::post(
        &app,
        &sanne,
        &format!("/overleggen/{meeting}/punten/{item}/gezin"),
        &[("lid", f.eva_member.as_str())],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let (s, seen) = api.call("GET", &path, &f.eva, None).await;
    assert_eq!(s, 200, "{seen}");
    assert_eq!(seen["seat"], "guest");
    assert_eq!(seen["items"].as_array().unwrap().len(), 1, "{seen}");
    assert_eq!(seen["items"][0]["child"], "Noor de Vries (8 jaar)");
    assert!(!seen.to_string().contains("Daan"), "{seen}");
    assert!(seen["participants"].as_array().unwrap().is_empty());
    let eva_page = logged_in(&app, "eva@gezin.example").await;
    let page = fetch_page(&app, &eva_page, &format!("/overleggen/{meeting}")).await;
    assert!(page.contains("alleen dat deel van het overleg"), "{page}");
    assert!(page.contains("Aanmelden bij de jeugd-ggz"), "{page}");
    assert!(!page.contains("Daan"), "{page}");

    // Someone outside the meeting: not found.
    let outsider = app
        .user("ander@team.example", Some(&w.team), &["consulent"])
        .await;
    let outsider = app.token_for(&outsider).await;
    let (s, _) = api.call("GET", &path, &outsider, None).await;
    assert_eq!(s, 404);

    // Closed: the POH is told; her minutes hold nothing of Noor's item.
    let r = super::post(
        &app,
        &sanne,
        &format!("/overleggen/{meeting}/afsluiten"),
        &[],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let (s, seen) = api.call("GET", &path, &poh, None).await;
    assert_eq!(s, 200);
    assert_eq!(seen["held"], true);
    assert!(seen["items"][0]["minutes"].is_null(), "{seen}");
    assert!(!seen.to_string().contains("jeugd-ggz"), "{seen}");
    let notices = app
        .db
        .read(move |c| rondom_db::consultations::unread(c, &poh_id))
        .await
        .unwrap();
    assert!(
        notices.iter().any(|(_, t, _, _)| t.contains("verslag")),
        "{notices:?}"
    );
    // Every look at Noor through the meeting is in the audit log, with the child.
    let audit = app.audit().await;
    assert!(audit.iter().any(|e| e.action == "meeting_item_read"
        && e.object_id.as_deref() == Some(f.network.as_str())
        && e.child_id.is_some()));
    assert!(audit.iter().any(|e| e.action == "meeting_minutes_record"));
    app.stop().await;
}

/// A second child, referred by the same GP, whose network Sanne opens.
async fn second_network(api: &Api<'_>, w: &World, f: &Family) -> String {
    let born = rondom_app::dates::today() - chrono::Duration::days(9 * 365 + 40);
    let (s, r) = api
        .call(
            "POST",
            "/api/v1/referrals",
            &f.gp,
            Some(json!({
                "child": {"name": "Daan Jansen", "birth_date": born.format("%Y-%m-%d").to_string(),
                    "gemeente_code": "GM9999"},
                "to_org_id": w.team, "reason": "Somber.", "problem_areas": ["psychisch"]})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let referral = r["referral"]["id"].as_str().unwrap().to_owned();
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/referrals/{referral}/transitions"),
            &f.sanne,
            Some(json!({"to": "accepted", "case_director_id": w.sanne})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, n) = api
        .call(
            "POST",
            "/api/v1/networks",
            &f.sanne,
            Some(json!({"referral_id": referral})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    n["id"].as_str().unwrap().to_owned()
}

async fn the_agenda_is_built_from_the_work_and_bad_input_is_refused(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    // Noor's evaluation is in three days and an agreement is late.
    first_plan(&api, &f, 3, true).await;
    let poh_id = app.user_id("poh@linde.example").await;
    let leader = app
        .token_for(&app.user_id("leider@team.example").await)
        .await;

    // Bad input: nothing is scheduled, each problem named.
    let (s, e) = api
        .call(
            "POST",
            "/api/v1/meetings",
            &leader,
            Some(
                json!({"team_id": w.team, "title": " ", "starts_at": "gisteren",
                "video_link": "http://niet-veilig", "participant_ids": ["iemand-anders"],
                "participant_emails": ["onbekend@nergens.example"]}),
            ),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    for want in [
        "title",
        "starts_at",
        "video_link",
        "participant_ids",
        "participant_emails",
    ] {
        assert!(fields.contains(&want), "{want} in {fields:?}");
    }
    let (s, list) = api.call("GET", "/api/v1/meetings", &leader, None).await;
    assert_eq!(s, 200);
    assert!(list.as_array().unwrap().is_empty());
    // A GP cannot schedule the team's meeting.
    let (s, _) = api
        .call(
            "POST",
            "/api/v1/meetings",
            &f.gp,
            Some(json!({"team_id": w.team, "title": "x", "starts_at": format!("{}T10:00", in_days(1)),
                "place": "x", "participant_ids": [poh_id]})),
        )
        .await;
    assert_eq!(s, 403);

    // The team leader schedules; the work suggests Noor (evaluation first), anonymised
    // for the leader who is not in her network.
    let meeting = schedule(&api, &w, &leader, vec![poh_id, w.sanne.clone()]).await;
    let (s, m) = api
        .call("GET", &format!("/api/v1/meetings/{meeting}"), &leader, None)
        .await;
    assert_eq!(s, 200);
    let suggestions = m["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "one per child: {m}");
    assert_eq!(suggestions[0]["kind"], "evaluation");
    assert_eq!(suggestions[0]["child"], "Een kind van 8 jaar");
    assert_eq!(suggestions[0]["network_id"], json!(f.network));
    // Someone else from the sociale kaart, by address: the provider's professional.
    let (s, other) = api
        .call(
            "POST",
            "/api/v1/meetings",
            &leader,
            Some(
                json!({"team_id": w.team, "title": "Overleg met de aanbieder",
                "starts_at": format!("{}T09:00", in_days(3)), "place": "Online",
                "participant_ids": [], "participant_emails": ["ZORG@horizon.example"]}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{other}");
    assert!(
        other["participants"]
            .as_array()
            .unwrap()
            .contains(&json!("Test zorg")),
        "{other}"
    );
    // The leader puts it on the agenda; Sanne (her case director) sees it named.
    let (s, m) = api
        .call(
            "POST",
            &format!("/api/v1/meetings/{meeting}/items"),
            &leader,
            Some(json!({"kind": "evaluation", "network_id": f.network})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    assert!(m["suggestions"].as_array().unwrap().is_empty(), "{m}");
    let (_, m) = api
        .call(
            "GET",
            &format!("/api/v1/meetings/{meeting}"),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(m["items"][0]["child"], "Noor de Vries (8 jaar)");
    // The page says which items the leader sees without a name.
    let leader_page = logged_in(&app, "leider@team.example").await;
    let page = fetch_page(&app, &leader_page, &format!("/overleggen/{meeting}")).await;
    assert!(page.contains("zonder naam"), "{page}");
    assert!(page.contains("Zonder naam voor:"), "{page}");
    assert!(!page.contains("Noor"), "{page}");

    // A referral on hold is suggested by name to the leader, whose team received it;
    // that look is in the audit log like any list of children.
    let born = rondom_app::dates::today() - chrono::Duration::days(11 * 365 + 40);
    let (s, r) = api
        .call(
            "POST",
            "/api/v1/referrals",
            &f.gp,
            Some(json!({
                "child": {"name": "Bram Hendriks", "birth_date": born.format("%Y-%m-%d").to_string(),
                    "gemeente_code": "GM9999"},
                "to_org_id": w.team, "reason": "Angstig.", "problem_areas": ["psychisch"]})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let bram = r["referral"]["id"].as_str().unwrap().to_owned();
    for step in [
        json!({"to": "accepted", "case_director_id": w.sanne}),
        json!({"to": "on-hold", "reason": "Gezin is verhuisd, nieuw adres onbekend"}),
    ] {
        let (s, e) = api
            .call(
                "POST",
                &format!("/api/v1/referrals/{bram}/transitions"),
                &f.sanne,
                Some(step),
            )
            .await;
        assert_eq!(s, 200, "{e}");
    }
    let logged_before = app.audit().await.iter().map(|e| e.seq).max().unwrap_or(0);
    let (s, m) = api
        .call("GET", &format!("/api/v1/meetings/{meeting}"), &leader, None)
        .await;
    assert_eq!(s, 200, "{m}");
    assert!(
        m["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["referral_id"] == json!(bram) && s["child"] == "Bram Hendriks (11 jaar)"),
        "{m}"
    );
    let leader_id = app.user_id("leider@team.example").await;
    let audit = app.audit().await;
    assert!(
        audit.iter().any(|e| e.seq > logged_before
            && e.action == "referral_list_read"
            && e.actor_user_id.as_deref() == Some(leader_id.as_str())
            && e.reason.as_deref().is_some_and(|r| r.contains(&bram))),
        "the agenda's look at Bram is logged"
    );
    app.stop().await;
}
