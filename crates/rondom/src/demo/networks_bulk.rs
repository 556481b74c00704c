//! Many networks and a long access log at once, for the load tests: networks around the
//! children of the bulk referrals (case director, GP and a parent with gezag, who gave
//! consent), and access-log entries about those children, chained and keyed like real
//! ones. One child, that of the demo's parent login, gets a long log of its own.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::networks::{self as nets, ACTIVE, ConsentAnswer, Member, Network};
use rondom_db::{AnyConnection, Db, DbError, new_id, now};
use rondom_domain::Role;
use rondom_domain::consent::{Category, Relation};
use rondom_domain::ids::{MemberId, NetworkId, UserId};

/// How many entries one transaction writes.
const LOG_BATCH: usize = 20_000;

/// The actions a child's log holds most: reads of the network and the referral.
const ACTIONS: [&str; 5] = [
    "network_read",
    "referral_read",
    "network_help_read",
    "network_list_read",
    "referral_update",
];

/// Adds `n` networks; answers how many were added and the ids of their children.
pub fn add(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    secrets: &rondom_app::secrets::SecretBox,
    n: usize,
) -> Result<Vec<String>, DbError> {
    let candidates = nets::without_network(c, i64::try_from(n).unwrap_or(i64::MAX))?;
    let team_consultants: Vec<(UserId, String)> = {
        let mut out = Vec::new();
        for o in rondom_db::organisations::list(c)?
            .into_iter()
            .filter(|o| o.kind == rondom_domain::OrganisationKind::SociaalTeam)
        {
            for m in rondom_db::organisations::members(c, &o.id)? {
                if m.role == Role::Consulent {
                    out.push((m.user_id, o.id.to_string()));
                }
            }
        }
        out
    };
    if team_consultants.is_empty() {
        return Err(DbError::NotFound);
    }
    let parent_names: Vec<String> = (0..100)
        .map(|_| {
            let f = crate::demo::FIRST.choose(rng).copied().unwrap_or("Sanne");
            let l = crate::demo::LAST.choose(rng).copied().unwrap_or("Jansen");
            secrets
                .seal(&format!("{f} {l}"))
                .map_err(|e| DbError::Unavailable(format!("sealing demo text: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let at = now();
    let today = rondom_app::dates::today();
    let mut seen = std::collections::HashSet::new();
    let (mut networks, mut members, mut answers, mut children) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut plans = Plans::default();
    for (referral, child, from_org, referrer, to_org) in candidates {
        if !seen.insert(child.to_string()) {
            continue;
        }
        // One of the receiving team's consultants, or any when a provider received it.
        let here: Vec<&(UserId, String)> = team_consultants
            .iter()
            .filter(|(_, o)| *o == *to_org)
            .collect();
        let (director, director_org) = if here.is_empty() {
            team_consultants[rng.gen_range(0..team_consultants.len())].clone()
        } else {
            here[rng.gen_range(0..here.len())].clone()
        };
        let id = NetworkId::trusted(new_id());
        let member = |kind: &str,
                      user: Option<UserId>,
                      org: Option<String>,
                      name: Option<String>,
                      relation: Option<&str>,
                      label: &str| Member {
            id: MemberId::trusted(new_id()),
            network_id: id.clone(),
            kind: kind.into(),
            user_id: user,
            organisation_id: org.map(rondom_domain::ids::OrganisationId::trusted),
            name_sealed: name,
            relation: relation.map(Into::into),
            gezag: relation.is_some(),
            role_label: label.into(),
            state: ACTIVE.into(),
            added_by: director.clone(),
            added_at: at,
            removed_by: None,
            removed_at: None,
        };
        let d = member(
            rondom_app::network::PROFESSIONAL,
            Some(director.clone()),
            Some(director_org.clone()),
            None,
            None,
            "casusregisseur",
        );
        let gp = member(
            rondom_app::network::PROFESSIONAL,
            Some(referrer.clone()),
            Some(from_org.to_string()),
            None,
            None,
            "huisarts",
        );
        let parent = member(
            rondom_app::network::FAMILY,
            None,
            None,
            parent_names.choose(rng).cloned(),
            Some(Relation::Ouder.code()),
            Relation::Ouder.label(),
        );
        for grantee in [&d, &gp] {
            for cat in [Category::Membership, Category::ReferralDetails] {
                answers.push(ConsentAnswer {
                    id: new_id(),
                    network_id: id.clone(),
                    grantee_id: grantee.id.clone(),
                    category: cat.code().into(),
                    by_member_id: parent.id.clone(),
                    given: true,
                    how: "mondeling".into(),
                    answered_on: today,
                    recorded_by: director.clone(),
                    recorded_at: at,
                });
            }
        }
        plan_rows(
            secrets,
            rng,
            (&id, &director, &d.id, &parent.id),
            at,
            today,
            &mut plans,
        )?;
        networks.push(Network {
            id: id.clone(),
            child_id: child.clone(),
            coordinator_id: director.clone(),
            coordinator_org_id: rondom_domain::ids::OrganisationId::trusted(director_org.clone()),
            referral_id: Some(referral),
            opened_by: director.clone(),
            opened_at: at,
        });
        members.extend([d, gp, parent]);
        children.push(child.to_string());
    }
    nets::insert_bulk(c, &networks, &members, &answers)?;
    rondom_db::plans::insert_bulk(c, &plans.heads, &plans.versions, &plans.actions)?;
    Ok(children)
}

/// Writes `n` access-log entries about these children (evenly spread, at random), then
/// `for_one` more about `one`; each batch in its own transaction.
pub fn add_log(
    db: &Db,
    rng: &mut ChaCha8Rng,
    children: &[String],
    n: usize,
    one: Option<(&str, usize)>,
) -> Result<usize, String> {
    // Read on a connection of its own: no write transaction for a read.
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let actors = actors(&mut conn).map_err(|e| e.to_string())?;
    drop(conn);
    if actors.is_empty() || children.is_empty() {
        return Ok(0);
    }
    let mut event = |child: &str| {
        let (uid, name, role, org) = &actors[rng.gen_range(0..actors.len())];
        AuditEvent {
            actor_user_id: Some(uid.clone()),
            actor_name: name.clone(),
            actor_role: Some(role.clone()),
            actor_organisation_id: Some(org.clone()),
            action: ACTIONS[rng.gen_range(0..ACTIONS.len())].into(),
            object_type: "network".into(),
            object_id: None,
            child_id: Some(child.to_owned()),
            reason: None,
            source_address: Some("127.0.0.1".into()),
            outcome: "allowed".into(),
            subject_org_ids: vec![org.clone()],
        }
    };
    let mut written = 0;
    let mut batch = Vec::with_capacity(LOG_BATCH);
    let plan = (0..n).map(|i| children[i % children.len()].as_str()).chain(
        one.into_iter()
            .flat_map(|(child, k)| std::iter::repeat_n(child, k)),
    );
    for child in plan {
        batch.push(event(child));
        if batch.len() == LOG_BATCH {
            let events = std::mem::take(&mut batch);
            written += events.len();
            db.write_blocking(move |c| audit::append_all(c, &events).map(|_| ()))
                .map_err(|e| e.to_string())?;
        }
    }
    if !batch.is_empty() {
        written += batch.len();
        db.write_blocking(move |c| audit::append_all(c, &batch).map(|_| ()))
            .map_err(|e| e.to_string())?;
    }
    Ok(written)
}

/// Up to three people of each organisation, as the log names them: (user id, name, role,
/// organisation id).
fn actors(c: &mut AnyConnection) -> Result<Vec<(String, String, String, String)>, DbError> {
    let mut out = Vec::new();
    for o in rondom_db::organisations::list(c)? {
        for m in rondom_db::organisations::members(c, &o.id)?
            .into_iter()
            .take(3)
        {
            if let Some(u) = rondom_db::users::find(c, &m.user_id)? {
                out.push((
                    u.id.to_string(),
                    u.name,
                    m.role.as_str().to_owned(),
                    o.id.to_string(),
                ));
            }
        }
    }
    Ok(out)
}

/// The bulk networks' plans, to be written at once.
#[derive(Default)]
struct Plans {
    heads: Vec<rondom_db::plans::PlanHead>,
    versions: Vec<rondom_db::plans::PlanVersion>,
    actions: Vec<rondom_db::plans::ActionRow>,
}

/// Two versions of a plan for one bulk network (the case director's, agreements for the
/// parent and the case director), its evaluation date spread around today.
fn plan_rows(
    secrets: &rondom_app::secrets::SecretBox,
    rng: &mut ChaCha8Rng,
    (network, director, director_member, parent): (&NetworkId, &UserId, &MemberId, &MemberId),
    at: chrono::NaiveDateTime,
    today: chrono::NaiveDate,
    out: &mut Plans,
) -> Result<(), DbError> {
    use rondom_domain::plan::{Agreement, Goal, Plan, Status};
    let seal = |t: &str| {
        secrets
            .seal(t)
            .map_err(|e| DbError::Unavailable(format!("sealing demo text: {e}")))
    };
    let day = |n: i64| Some(today + chrono::Duration::days(n));
    let due = rng.gen_range(-30..30);
    let agreement = |what: &str, owner: &MemberId, due_on, status| Agreement {
        key: new_id(),
        what: what.into(),
        owner: Some(owner.to_string()),
        due_on,
        status,
        not_for_parents: false,
        from_meeting: None,
    };
    let mut plan = Plan {
        situation: "Thuis is het onrustig; het kind slaapt slecht en gaat niet graag naar school."
            .into(),
        strengths: "Oma helpt mee. Het kind sport graag.".into(),
        concerns: "De ouders zijn moe.".into(),
        goals: vec![
            Goal {
                key: new_id(),
                title: "Het kind slaapt weer door".into(),
                not_for_parents: false,
                agreements: vec![
                    agreement("Vast avondritueel", parent, day(due), Status::Busy),
                    agreement(
                        "Slaapdagboek twee weken",
                        parent,
                        day(due - 14),
                        Status::Done,
                    ),
                ],
            },
            Goal {
                key: new_id(),
                title: "Weer elke dag naar school".into(),
                not_for_parents: false,
                agreements: vec![agreement(
                    "Gesprek met de mentor",
                    director_member,
                    day(due + 7),
                    Status::Open,
                )],
            },
        ],
        evaluation_on: day(rng.gen_range(-60..120)),
        treatment_plans: vec![],
    };
    for number in 1..=2 {
        if number == 2 {
            plan.goals[0].agreements[0].status = Status::Done;
        }
        let json = serde_json::to_string(&plan)
            .map_err(|e| DbError::Unavailable(format!("demo plan: {e}")))?;
        out.versions.push(rondom_db::plans::PlanVersion {
            id: new_id(),
            network_id: network.to_string(),
            number,
            content_sealed: seal(&json)?,
            source: "edit".into(),
            meeting_id: None,
            saved_by: director.to_string(),
            saved_at: at,
        });
    }
    for (g, a) in plan.agreements() {
        out.actions.push(rondom_db::plans::ActionRow {
            network_id: network.to_string(),
            item_key: a.key.clone(),
            owner_member_id: a.owner.clone(),
            due_on: a.due_on,
            status: a.status.code().into(),
            what_sealed: seal(&a.what)?,
            not_for_parents: g.not_for_parents,
            reminded_on: None,
        });
    }
    out.heads.push(rondom_db::plans::PlanHead {
        network_id: network.to_string(),
        latest: 2,
        evaluation_on: plan.evaluation_on,
        updated_at: at,
        next_due_on: plan
            .agreements()
            .filter(|(_, a)| a.status.is_open())
            .filter_map(|(_, a)| a.due_on)
            .min(),
    });
    Ok(())
}

/// Five years of a family's history in their network (for the copy's load test): a
/// conversation with two messages a day between the case director and the parent, and
/// a new plan version every month. Answers (messages, plan versions) added.
pub fn add_history(
    c: &mut AnyConnection,
    secrets: &rondom_app::secrets::SecretBox,
    parent_email: &str,
    years: i64,
) -> Result<(usize, usize), DbError> {
    use rondom_db::messages::{self as msgs, NewMessage};
    let Some(parent) = rondom_db::users::find_by_email(c, parent_email)? else {
        return Err(DbError::NotFound);
    };
    let Some(network) = nets::of_member(c, &parent.id, &[])?.into_iter().next() else {
        return Err(DbError::NotFound);
    };
    let nid = network.id.to_string();
    let director = network.coordinator_id.to_string();
    let wrapped = match msgs::network_key(c, &nid)? {
        Some(w) => w,
        None => {
            let (_, w) = secrets.new_data_key().map_err(DbError::Unavailable)?;
            msgs::put_network_key(c, &nid, &w)?
        }
    };
    let key = secrets
        .open_data_key(&wrapped)
        .map_err(DbError::Unavailable)?;
    let seal = |t: &str| key.seal(t).map_err(DbError::Unavailable);
    let conv = msgs::create_conversation(
        c,
        &nid,
        "network",
        &seal("Vijf jaar afspraken")?,
        &director,
        &[],
    )?
    .to_string();
    let days = years * 365;
    let start = rondom_app::dates::today() - chrono::Duration::days(days);
    let mut seq = 0i64;
    for d in 0..days {
        for (hour, author, text) in [
            (9, director.as_str(), "Hoe ging het gisteren met slapen?"),
            (
                20,
                parent.id.as_str(),
                "Beter: om acht uur in bed en hij sliep door tot zeven uur.",
            ),
        ] {
            seq += 1;
            let at = (start + chrono::Duration::days(d))
                .and_hms_opt(hour, 0, 0)
                .unwrap_or_default();
            msgs::insert_messages(
                c,
                &nid,
                &conv,
                &[NewMessage {
                    id: &new_id(),
                    seq,
                    author_id: author,
                    body_sealed: &seal(text)?,
                    client_id: None,
                }],
                at,
            )?;
        }
    }
    let mut versions = 0;
    let months = years * 12;
    let mut plan: rondom_domain::plan::Plan =
        match rondom_db::plans::of_network(c, &nid)?.versions.last() {
            Some(v) => serde_json::from_str(
                &secrets
                    .open(&v.content_sealed)
                    .map_err(DbError::Unavailable)?,
            )
            .map_err(|e| DbError::Unavailable(e.to_string()))?,
            None => rondom_domain::plan::Plan::default(),
        };
    for m in 0..months {
        let base = rondom_db::plans::of_network(c, &nid)?
            .versions
            .last()
            .map_or(0, |v| v.number);
        plan.situation = format!("Maand {}: het gaat stap voor stap beter.", m + 1);
        let json = serde_json::to_string(&plan).map_err(|e| DbError::Unavailable(e.to_string()))?;
        let v = rondom_db::plans::save(
            c,
            rondom_db::plans::NewVersion {
                network_id: nid.clone(),
                base,
                content_sealed: secrets.seal(&json).map_err(DbError::Unavailable)?,
                evaluation_on: plan.evaluation_on,
                source: "edit",
                meeting_id: None,
                saved_by: director.clone(),
                actions: vec![],
            },
        )?;
        let at = (start + chrono::Duration::days(m * 30))
            .and_hms_opt(11, 0, 0)
            .unwrap_or_default();
        rondom_db::plans::backdate_version(c, &nid, v.number, at)?;
        versions += 1;
    }
    Ok((usize::try_from(seq).unwrap_or(0), versions))
}
