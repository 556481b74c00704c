//! The demo networks' family plans, as a few months of work leave them: the youngest
//! child's plan in three versions, the parent agreed to the second and the third waits
//! for her; the 12-to-15-year-old's first plan, waiting, with an action past its date and
//! an evaluation date passed (so the case director's and the team leader's lists show
//! them); the 16-year-old's plan with a goal she keeps from her parent, agreed by her.

use rondom_db::plans::{self as db, NewAction, NewVersion};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::plan::{Agreement, Goal, Plan, Status, TreatmentPlan};

/// Who the plan can name: member ids.
pub(super) struct People<'a> {
    pub network: &'a str,
    pub director_user: &'a str,
    pub director: &'a str,
    pub gp: &'a str,
    /// The first parent with gezag (and their account), if any.
    pub parent: Option<(&'a str, &'a str)>,
    /// A second parent, if any.
    pub other_parent: Option<&'a str>,
    /// The youth (and their account), if in the network.
    pub youth: Option<(&'a str, &'a str)>,
    pub first: &'a str,
}

/// Which of the three demo families.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Young,
    Teen,
    Sixteen,
}

fn agreement(
    what: String,
    owner: Option<&str>,
    due: Option<chrono::NaiveDate>,
    status: Status,
) -> Agreement {
    Agreement {
        key: rondom_db::new_id(),
        what,
        owner: owner.map(ToOwned::to_owned),
        due_on: due,
        status,
        not_for_parents: false,
        from_meeting: None,
    }
}

fn goal(title: String, agreements: Vec<Agreement>) -> Goal {
    Goal {
        key: rondom_db::new_id(),
        title,
        not_for_parents: false,
        agreements,
    }
}

struct Saver<'a, 'b> {
    c: &'a mut AnyConnection,
    secrets: &'a rondom_app::secrets::SecretBox,
    p: &'a People<'b>,
    today: chrono::NaiveDate,
    number: i32,
}

impl Saver<'_, '_> {
    fn save(
        &mut self,
        plan: &Plan,
        by: &str,
        source: &'static str,
        days_ago: i64,
    ) -> Result<String, DbError> {
        let seal = |t: &str| self.secrets.seal(t).map_err(DbError::Unavailable);
        let json = serde_json::to_string(plan).map_err(|e| DbError::Unavailable(e.to_string()))?;
        let mut actions = Vec::new();
        for (g, a) in plan.agreements() {
            actions.push(NewAction {
                item_key: a.key.clone(),
                owner_member_id: a.owner.clone(),
                due_on: a.due_on,
                status: a.status.code(),
                what_sealed: seal(&a.what)?,
                not_for_parents: g.not_for_parents || a.not_for_parents,
            });
        }
        let v = db::save(
            self.c,
            NewVersion {
                network_id: self.p.network.to_owned(),
                base: self.number,
                content_sealed: seal(&json)?,
                evaluation_on: plan.evaluation_on,
                source,
                meeting_id: None,
                saved_by: by.to_owned(),
                actions,
            },
        )?;
        self.number = v.number;
        db::backdate_version(self.c, self.p.network, v.number, self.at(days_ago, 10))?;
        Ok(v.id)
    }

    fn at(&self, days_ago: i64, hour: u32) -> chrono::NaiveDateTime {
        (self.today - chrono::Duration::days(days_ago))
            .and_hms_opt(hour, 20, 0)
            .unwrap_or_default()
    }

    fn agree(
        &mut self,
        version: &str,
        member: &str,
        user: &str,
        days_ago: i64,
    ) -> Result<(), DbError> {
        let r = db::respond(
            self.c,
            self.p.network,
            version,
            member,
            "akkoord",
            None,
            user,
        )?;
        db::backdate_response(self.c, &r.id, self.at(days_ago, 19))
    }
}

pub(super) fn build(
    c: &mut AnyConnection,
    secrets: &rondom_app::secrets::SecretBox,
    today: chrono::NaiveDate,
    p: &People<'_>,
    kind: Kind,
) -> Result<(), DbError> {
    let day = |n: i64| Some(today + chrono::Duration::days(n));
    let first = p.first;
    let mut s = Saver {
        c,
        secrets,
        p,
        today,
        number: 0,
    };
    match kind {
        Kind::Young => {
            let parent = p.parent.map(|(m, _)| m);
            let mut plan = Plan {
                situation: format!(
                    "Thuis is het vaak onrustig, vooral 's avonds. {first} slaapt slecht en is moe op school. \
                     Wij willen weer rust in huis en dat {first} met plezier naar school gaat."
                ),
                strengths: "Oma past twee middagen per week op. De juf denkt goed mee. \
                            {first} kan goed tekenen en voetballen."
                    .replace("{first}", first),
                concerns: format!("{first} heeft vaak driftbuien. De ouders zijn moe en maken vaak ruzie over de opvoeding."),
                goals: vec![
                    goal(
                        format!("{first} slaapt weer door en gaat uitgerust naar school"),
                        vec![
                            agreement("Vast avondritueel: om half acht naar boven, om acht uur het licht uit".into(), parent, day(-20), Status::Busy),
                            agreement("Twee weken een slaapdagboek bijhouden".into(), p.other_parent, day(-16), Status::Open),
                            agreement("Op het spreekuur kijken of er een lichamelijke oorzaak is".into(), Some(p.gp), day(-12), Status::Open),
                        ],
                    ),
                    goal(
                        "Minder ruzie thuis: samen afspraken maken over schermtijd en bedtijd".into(),
                        vec![agreement("Aanmelden voor een oudercursus positief opvoeden".into(), Some(p.director), day(-14), Status::Open)],
                    ),
                ],
                evaluation_on: day(55),
                treatment_plans: vec![],
            };
            s.save(&plan, p.director_user, "edit", 30)?;
            // Three weeks later: the diary done, the GP saw no physical cause, the course
            // booked, and the provider's treatment plan named.
            plan.goals[0].agreements[1].status = Status::Done;
            plan.goals[0].agreements[2].status = Status::Done;
            plan.goals[1].agreements[0].status = Status::Done;
            plan.treatment_plans.push(TreatmentPlan {
                key: rondom_db::new_id(),
                provider: "Jeugdhulp De Brug".into(),
                name: format!("Behandelplan ouder-kindbegeleiding {first}"),
                dated: day(-19),
            });
            let v2 = s.save(&plan, p.director_user, "edit", 20)?;
            if let Some((m, u)) = p.parent {
                s.agree(&v2, m, u, 18)?;
            }
            // Last week: a new agreement with the school, the ritual done.
            plan.goals[0].agreements[0].status = Status::Done;
            plan.goals.push(goal(
                format!("{first} voelt zich veilig in de klas"),
                vec![
                    agreement(
                        "Gesprek met de juf over een rustig plekje en een time-outkaart".into(),
                        parent,
                        day(4),
                        Status::Open,
                    ),
                    agreement(
                        "Kennismaking met de ouder-kindbegeleider van De Brug".into(),
                        Some(p.director),
                        day(9),
                        Status::Open,
                    ),
                ],
            ));
            s.save(&plan, p.director_user, "edit", 3)?;
        }
        Kind::Teen => {
            let youth = p.youth.map(|(m, _)| m);
            let plan = Plan {
                situation: format!(
                    "{first} gaat sinds de zomer vaak niet naar school. Thuis gaat het redelijk."
                ),
                strengths: format!(
                    "{first} heeft een goede band met de mentor en sport twee keer per week."
                ),
                concerns: "Het verzuim loopt op; er dreigt een melding bij de leerplichtambtenaar."
                    .into(),
                goals: vec![goal(
                    format!("{first} gaat weer elke dag naar school"),
                    vec![
                        agreement(
                            "Elke ochtend om zeven uur op, ontbijt samen".into(),
                            youth,
                            day(-30),
                            Status::Busy,
                        ),
                        agreement(
                            "Gesprek met de mentor en de leerplichtambtenaar plannen".into(),
                            Some(p.director),
                            day(-2),
                            Status::Open,
                        ),
                    ],
                )],
                evaluation_on: day(-5),
                treatment_plans: vec![],
            };
            s.save(&plan, p.director_user, "edit", 70)?;
        }
        Kind::Sixteen => {
            let youth = p.youth.map(|(m, _)| m);
            let mut plan = Plan {
                situation: format!(
                    "{first} woont bij haar moeder. Ze wil rustiger worden en haar school afmaken."
                ),
                strengths: "Ze werkt op zaterdag in een bakkerij en dat gaat goed.".into(),
                concerns: "Ze slaapt slecht en piekert veel.".into(),
                goals: vec![goal(
                    "Diploma halen dit schooljaar".into(),
                    vec![agreement(
                        "Huiswerkbegeleiding twee middagen per week".into(),
                        youth,
                        day(-10),
                        Status::Busy,
                    )],
                )],
                evaluation_on: day(80),
                treatment_plans: vec![],
            };
            s.save(&plan, p.director_user, "edit", 40)?;
            plan.goals.push(Goal {
                not_for_parents: true,
                ..goal(
                    "Praten over wat er op het feest gebeurde".into(),
                    vec![agreement(
                        "Gesprekken met de jongerencoach".into(),
                        youth,
                        day(6),
                        Status::Open,
                    )],
                )
            });
            let v2 = s.save(&plan, p.director_user, "edit", 10)?;
            if let Some((m, u)) = p.youth {
                s.agree(&v2, m, u, 9)?;
            }
        }
    }
    Ok(())
}
