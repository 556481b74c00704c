//! Networks around some of the demo's children, one per age band, with their families:
//! two parents with gezag and a parent without under 12; a youth of 12 to 15 who decides
//! with her parent; a youth of 16 or older who keeps her messages and documents from her
//! parent. Demo logins for the first parent and for that youth.

use super::world::{Organisations, World};
use super::{DemoLogin, slug};
use rondom_app::network::{FAMILY, PROFESSIONAL};
use rondom_db::networks::{self as nets, ACTIVE, NewAnswer, NewMember};
use rondom_db::referrals::{self as refs, Filter, Listed};
use rondom_db::{AnyConnection, DbError, users};
use rondom_domain::Role;
use rondom_domain::consent::{Category, Relation};
use rondom_domain::referral::Status;

/// A family member to create: (first name, relation, gezag, login role if any).
type Kin = (&'static str, Relation, bool, Option<&'static str>);

/// A family's make-up, for the children whose age fits.
type Band = (&'static [Kin], fn(i32) -> bool);

const UNDER_12: &[Kin] = &[
    ("Sanne", Relation::Ouder, true, Some("ouder")),
    ("Mark", Relation::Ouder, true, None),
    ("Peter", Relation::Ouder, false, None),
];
const FROM_12: &[Kin] = &[
    ("Yvonne", Relation::Ouder, true, None),
    ("", Relation::Jeugdige, false, None),
];
const FROM_16: &[Kin] = &[
    ("Karin", Relation::Ouder, true, None),
    ("", Relation::Jeugdige, false, Some("jongere")),
];

/// A demo network as the meetings name it.
pub(super) struct Opened {
    pub network: String,
    pub director: String,
    pub kind: super::plans::Kind,
    /// The family member with the say and an account (member id, user id), if any.
    pub parent: Option<(String, String)>,
}

pub(super) fn build(
    c: &mut AnyConnection,
    w: &mut World,
    o: &Organisations,
    secrets: &rondom_app::secrets::SecretBox,
) -> Result<Vec<Opened>, DbError> {
    let running = refs::list(
        c,
        &Filter {
            to_orgs: vec![o.team.id.to_string()],
            statuses: vec![Status::Accepted, Status::InProgress],
            limit: 500,
            ..Filter::default()
        },
    )?;
    let today = w.today;
    let age = |l: &Listed| rondom_app::referral::age_on(l.child_birth_date, today);
    let bands: [Band; 3] = [
        (UNDER_12, |a| a < 12),
        (FROM_12, |a| (12..16).contains(&a)),
        (FROM_16, |a| a >= 16),
    ];
    let mut used: Vec<String> = Vec::new();
    let mut opened = Vec::new();
    for (kin, fits) in bands {
        let Some(l) = running.iter().find(|l| {
            fits(age(l))
                && l.r.case_director_id.is_some()
                && !used.contains(&l.r.child_id.to_string())
        }) else {
            continue;
        };
        used.push(l.r.child_id.to_string());
        let child = secrets.open(&l.child_name_sealed).unwrap_or_default();
        opened.extend(one(c, w, l, &child, kin, secrets)?);
    }
    Ok(opened)
}

fn one(
    c: &mut AnyConnection,
    w: &mut World,
    l: &Listed,
    child: &str,
    kin: &[Kin],
    secrets: &rondom_app::secrets::SecretBox,
) -> Result<Option<Opened>, DbError> {
    let r = &l.r;
    let Some(director) = r.case_director_id.as_ref().map(ToString::to_string) else {
        return Ok(None);
    };
    let (first, surname) = child.split_once(' ').unwrap_or((child, "Jansen"));
    let members = [
        NewMember {
            kind: PROFESSIONAL,
            user_id: Some(&director),
            organisation_id: Some(&r.to_org_id),
            name_sealed: None,
            relation: None,
            gezag: false,
            role_label: "casusregisseur",
            state: ACTIVE,
        },
        NewMember {
            kind: PROFESSIONAL,
            user_id: Some(&r.referrer_id),
            organisation_id: Some(&r.from_org_id),
            name_sealed: None,
            relation: None,
            gezag: false,
            role_label: "huisarts",
            state: ACTIVE,
        },
    ];
    let network = nets::open(
        c,
        &r.child_id,
        &director,
        &r.to_org_id,
        Some(&r.id),
        &director,
        &members,
    )?;
    let professionals = nets::members(c, &network)?;
    let member_of = |user: &str| {
        professionals
            .iter()
            .find(|m| m.user_id.as_deref() == Some(user))
            .map(|m| m.id.to_string())
            .unwrap_or_default()
    };
    let (referrer_member, director_member) = (member_of(&r.referrer_id), member_of(&director));
    let mut family: Vec<(String, Relation, bool)> = Vec::new();
    let mut family_users: Vec<String> = Vec::new();
    for (name, relation, gezag, login) in kin {
        let name = if *relation == Relation::Jeugdige {
            child.to_owned()
        } else {
            format!("{name} {surname}")
        };
        let domain = if *relation == Relation::Jeugdige {
            "jong"
        } else {
            "gezin"
        };
        let email = format!(
            "{}.{}@{domain}.example",
            slug(name.split(' ').next().unwrap_or(first)),
            slug(surname)
        );
        let role = if *relation == Relation::Jeugdige {
            Role::Jeugdige
        } else {
            Role::OuderVerzorger
        };
        let uid = users::create(
            c,
            &users::NewUser {
                email: &email,
                name: &name,
                password_hash: Some(w.password_hash),
                family_role: Some(role.as_str()),
                is_demo: true,
            },
        )?;
        w.user_count += 1;
        if let Some(login) = login {
            w.logins.push(DemoLogin {
                role: login,
                email,
                organisation: "gezin".into(),
            });
        }
        let id = nets::add_member(
            c,
            &network,
            &NewMember {
                kind: FAMILY,
                user_id: Some(&uid),
                organisation_id: None,
                name_sealed: None,
                relation: Some(relation.code()),
                gezag: *gezag,
                role_label: relation.label(),
                state: ACTIVE,
            },
            &director,
        )?;
        family.push((id.to_string(), *relation, *gezag));
        family_users.push(uid.to_string());
    }
    let on = w.today - chrono::Duration::days(10);
    let mut answer = |by: &str, grantee: &str, category: Category, given: bool| {
        nets::add_answer(
            c,
            &network,
            &NewAnswer {
                grantee_id: grantee,
                category: category.code(),
                by_member_id: by,
                given,
                how: "mondeling",
                answered_on: on,
                recorded_by: &director,
            },
        )
    };
    let deciders: Vec<&(String, Relation, bool)> = family
        .iter()
        .filter(|(_, rel, gezag)| *gezag || *rel == Relation::Jeugdige)
        .collect();
    let youth_alone = kin.as_ptr() == FROM_16.as_ptr();
    // Everyone with the say lets the case director do everything, and the GP take part
    // and read the referral and the plan.
    for (by, rel, _) in &deciders {
        if youth_alone && *rel != Relation::Jeugdige {
            continue;
        }
        for cat in Category::ALL {
            answer(by, &director_member, cat, true)?;
        }
        for cat in [
            Category::Membership,
            Category::ReferralDetails,
            Category::Plan,
        ] {
            answer(by, &referrer_member, cat, true)?;
        }
    }
    // The parent without gezag may take part and see the plan.
    for (grantee, _, _) in family
        .iter()
        .filter(|(_, rel, gezag)| !gezag && *rel != Relation::Jeugdige)
    {
        for (by, _, _) in &deciders {
            answer(by, grantee, Category::Membership, true)?;
            answer(by, grantee, Category::Plan, true)?;
        }
    }
    // From 16 the youth decides what her parent sees: the plan yes, her messages and
    // documents no.
    if youth_alone
        && let (Some((youth, _, _)), Some((parent, _, _))) = (
            family.iter().find(|(_, rel, _)| *rel == Relation::Jeugdige),
            family.iter().find(|(_, rel, _)| *rel != Relation::Jeugdige),
        )
    {
        answer(youth, parent, Category::Membership, true)?;
        answer(youth, parent, Category::Plan, true)?;
        answer(youth, parent, Category::Messages, false)?;
        answer(youth, parent, Category::Documents, false)?;
    }
    // The first of the family with the say writes back (the youth from 16).
    let writer = family
        .iter()
        .zip(&family_users)
        .find(|((_, rel, gezag), _)| {
            if youth_alone {
                *rel == Relation::Jeugdige
            } else {
                *gezag
            }
        })
        .map(|(_, uid)| uid.clone());
    if let Some(writer) = writer {
        conversation(c, w, secrets, &network, &director, &writer, first)?;
    }
    fn with_user<'a>((m, u): (&'a (String, Relation, bool), &'a String)) -> (&'a str, &'a str) {
        (m.0.as_str(), u.as_str())
    }
    let mut parents = family
        .iter()
        .zip(&family_users)
        .filter(|((_, rel, _), _)| *rel != Relation::Jeugdige);
    let parent = parents.next().map(with_user);
    let other_parent = parents.next().map(|(m, _)| m.0.as_str());
    let youth = family
        .iter()
        .zip(&family_users)
        .find(|((_, rel, _), _)| *rel == Relation::Jeugdige)
        .map(with_user);
    let kind = if youth_alone {
        super::plans::Kind::Sixteen
    } else if youth.is_some() {
        super::plans::Kind::Teen
    } else {
        super::plans::Kind::Young
    };
    let people = super::plans::People {
        network: &network,
        director_user: &director,
        director: &director_member,
        gp: &referrer_member,
        parent,
        other_parent,
        youth,
        first,
    };
    super::plans::build(c, secrets, w.today, &people, kind)?;
    let parent = if youth_alone { youth } else { parent };
    Ok(Some(Opened {
        parent: parent.map(|(m, u)| (m.to_owned(), u.to_owned())),
        network: network.to_string(),
        director,
        kind,
    }))
}

/// The network's conversation as a few weeks of work leave it: the case director's
/// welcome, the family's answer, the report of the first talk as a PDF, and a last
/// message the family has not read yet.
fn conversation(
    c: &mut AnyConnection,
    w: &World,
    secrets: &rondom_app::secrets::SecretBox,
    network: &str,
    director: &str,
    family: &str,
    first: &str,
) -> Result<(), DbError> {
    use rondom_db::messages::{self as msgs, NewMessage};
    let (_, wrapped) = secrets.new_data_key().map_err(DbError::Unavailable)?;
    let wrapped = msgs::put_network_key(c, network, &wrapped)?;
    let key = secrets
        .open_data_key(&wrapped)
        .map_err(DbError::Unavailable)?;
    let seal = |text: &str| key.seal(text).map_err(DbError::Unavailable);
    let conv = msgs::create_conversation(
        c,
        network,
        "network",
        &seal(&format!("Afspraken over {first}"))?,
        director,
        &[],
    )?
    .to_string();
    let lines: [(i64, &str, String, bool); 4] = [
        (
            12,
            director,
            format!(
                "Welkom in het netwerk rond {first}. Hier delen we afspraken en vragen. \
                 Iedereen in dit gesprek leest mee. Past donderdag om 15.00 uur voor een \
                 eerste gesprek bij u thuis?"
            ),
            false,
        ),
        (
            11,
            family,
            "Dank u. Donderdag om 15.00 uur is goed. Graag wel na schooltijd, dan is er \
             rust in huis."
                .to_owned(),
            false,
        ),
        (
            7,
            director,
            "Hierbij het verslag van ons gesprek. Klopt er iets niet? Laat het mij weten."
                .to_owned(),
            true,
        ),
        (
            2,
            director,
            format!(
                "De aanmelding bij de jeugdhulp is gedaan. De wachttijd is ongeveer vier \
                 weken. Ik houd u op de hoogte. Heeft {first} in de tussentijd iets nodig, \
                 stuur dan een bericht."
            ),
            false,
        ),
    ];
    for (seq, (days_ago, author, text, with_report)) in (1i64..).zip(lines) {
        let at = (w.today - chrono::Duration::days(days_ago))
            .and_hms_opt(9 + (seq as u32 % 7), 12, 0)
            .unwrap_or_default();
        let id = rondom_db::new_id();
        msgs::insert_messages(
            c,
            network,
            &conv,
            &[NewMessage {
                id: &id,
                seq,
                author_id: author,
                body_sealed: &seal(&text)?,
                client_id: None,
            }],
            at,
        )?;
        msgs::set_read_marks(c, &conv, &[(author, seq)], at)?;
        if with_report {
            let pdf = report_pdf(first);
            let file = rondom_domain::document::check(
                "Verslag eerste gesprek.pdf",
                &pdf,
                rondom_domain::document::MAX_BYTES,
            )
            .map_err(|e| DbError::Unavailable(e.message))?;
            rondom_db::documents::insert(
                c,
                network,
                &[rondom_db::documents::NewDocument {
                    id: &rondom_db::new_id(),
                    message_id: &id,
                    name_sealed: &seal(&file.name)?,
                    media_type: file.kind.media_type(),
                    size_bytes: i64::try_from(pdf.len()).unwrap_or(i64::MAX),
                    content_sealed: &key.seal_bytes(&pdf).map_err(DbError::Unavailable)?,
                }],
                at,
            )?;
        }
    }
    Ok(())
}

/// A one-page PDF with the report's text, that any PDF reader opens.
fn report_pdf(first: &str) -> Vec<u8> {
    let lines = [
        "Verslag eerste gesprek".to_owned(),
        String::new(),
        format!("Over: {first}"),
        "Wie: de ouders en de casusregisseur van het sociaal team".to_owned(),
        String::new(),
        "Wat gaat goed: het gezin staat open voor hulp.".to_owned(),
        "Zorg: slaap en rust na school.".to_owned(),
        "Afspraak: aanmelding bij de jeugdhulp, over vier weken samen kijken.".to_owned(),
    ];
    let mut text = String::from("BT /F1 12 Tf 72 770 Td 18 TL\n");
    for line in &lines {
        let escaped: String = line
            .chars()
            .filter(char::is_ascii)
            .flat_map(|ch| match ch {
                '(' | ')' | '\\' => vec!['\\', ch],
                _ => vec![ch],
            })
            .collect();
        text.push_str(&format!("({escaped}) '\n"));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
