//! The team inbox: overdue referrals first, and the overview that matches each queue.

use super::{child_fields, post, world};
use crate::common::*;

on_both_backends!(
    overdue_referrals_show_first_in_the_team_inbox,
    the_overview_in_one_statement_holds_what_each_queue_holds,
);

async fn overdue_referrals_show_first_in_the_team_inbox(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let id = location_path(&r)
        .trim_start_matches("/verwijzingen/")
        .to_owned();
    // Sent two weeks ago and never looked at.
    let past = rondom_web::format::today() - chrono::Duration::days(14);
    let rid = id.clone();
    app.db
        .write(move |c| rondom_db::referrals::set_due(c, &rid, Some(past)))
        .await
        .unwrap();
    let leider = logged_in(&app, "leider@team.example").await;
    let inbox = fetch_page(&app, &leider, "/verwijzingen").await;
    let late = inbox
        .split("id=\"sectie-te_laat\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        late.contains("Noor de Vries") && late.contains("te laat"),
        "{inbox}"
    );
    // Seeing the child's name in a list is logged, naming the referral.
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "referral_list_read"
                && e.actor_name == "Test leider"
                && e.reason.as_deref().is_some_and(|r| r.contains(&id))),
        "the list view is in the audit log"
    );
    // The whole section, paged.
    let page = fetch_page(&app, &leider, "/verwijzingen?sectie=te_laat").await;
    assert!(page.contains("Pagina 1") && page.contains("Noor de Vries"));
    app.stop().await;
}

/// The inbox overview reads all of a team's queues in one statement on PostgreSQL
/// (UNION ALL) and one per queue on SQLite; either way each section must hold exactly
/// the referrals, in the order, that its own general query gives, for
/// the team (which also refers) and for a provider (which only receives), over a demo
/// year plus a few thousand generated referrals.
async fn the_overview_in_one_statement_holds_what_each_queue_holds(b: Backend) {
    use diesel::prelude::*;
    use rondom_db::schema::{organisations, referrals};
    let app = TestApp::start(b).await;
    app.load_demo().await;
    {
        let (db, key) = (app.db.clone(), app.config.secret_key.clone());
        tokio::task::spawn_blocking(move || rondom::demo::add_referrals(&db, &key, 3000))
            .await
            .unwrap()
            .unwrap();
    }
    let checked = app
        .db
        .read(|c| {
            let mut checked = 0;
            let receivers: Vec<(String, String)> = organisations::table
                .filter(organisations::kind.eq_any(["sociaal_team", "zorgaanbieder"]))
                .select((organisations::id, organisations::kind))
                .load(c)?;
            for (org, kind) in receivers {
                // The person with the most cases at this organisation, if any.
                let directors: Vec<Option<String>> = referrals::table
                    .filter(referrals::to_org_id.eq(&org))
                    .filter(referrals::case_director_id.is_not_null())
                    .select(referrals::case_director_id)
                    .load(c)?;
                let Some(Some(director)) = directors.into_iter().max() else {
                    continue;
                };
                let sending = if kind == "sociaal_team" {
                    vec![org.clone()]
                } else {
                    vec![]
                };
                let filters: Vec<rondom_db::referrals::Filter> =
                    rondom_app::referral::inbox::sections_for(
                        &director,
                        &sending,
                        std::slice::from_ref(&org),
                    )
                    .into_iter()
                    .filter(|(key, ..)| *key != "lopend")
                    .map(|(_, _, _, mut f)| {
                        f.limit = 51;
                        f
                    })
                    .collect();
                let together = rondom_db::referrals::list_sections(c, &filters, 51)?;
                assert_eq!(together.len(), filters.len());
                for (f, (count, rows)) in filters.iter().zip(together) {
                    // Order by what the queue sorts on (two referrals made in the same
                    // minute with the same deadline may come either way), and the same
                    // referrals.
                    let keyed = |rows: Vec<rondom_db::referrals::Listed>| {
                        let keys: Vec<_> =
                            rows.iter().map(|l| (l.r.due_on, l.r.created_at)).collect();
                        let mut ids: Vec<String> =
                            rows.into_iter().map(|l| l.r.id.into_inner()).collect();
                        ids.sort();
                        (keys, ids)
                    };
                    let alone = keyed(rondom_db::referrals::list(c, f)?);
                    assert_eq!(count, alone.1.len(), "{kind}: {f:?}");
                    assert_eq!(keyed(rows), alone, "{kind}: {f:?}");
                    checked += usize::from(!alone.1.is_empty());
                }
            }
            Ok(checked)
        })
        .await
        .unwrap();
    // The team's and the providers' queues are not all empty: the comparison compared.
    assert!(checked >= 6, "only {checked} non-empty sections compared");
    app.stop().await;
}
