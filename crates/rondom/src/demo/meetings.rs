//! The demo team's case meetings: two held, with minutes (the youngest child's sleep,
//! the 16-year-old's school), and one next week whose agenda holds the 12-to-15-year-old
//! (evaluation passed) and the youngest child (brought in with a question, the parent
//! invited to that item).

use super::networks::Opened;
use super::plans::Kind;
use rondom_db::meetings::{self as db, Meeting};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::Role;

pub(super) fn build(
    c: &mut AnyConnection,
    secrets: &rondom_app::secrets::SecretBox,
    today: chrono::NaiveDate,
    team: &str,
    opened: &[Opened],
) -> Result<(), DbError> {
    let seal = |t: &str| secrets.seal(t).map_err(DbError::Unavailable);
    let members = rondom_db::organisations::members(c, team)?;
    let Some(leader) = members.iter().find(|m| m.role == Role::Teamleider) else {
        return Ok(());
    };
    let leader = leader.user_id.to_string();
    let find = |k: Kind| opened.iter().find(|o| o.kind == k);
    let (Some(young), Some(teen), Some(sixteen)) =
        (find(Kind::Young), find(Kind::Teen), find(Kind::Sixteen))
    else {
        return Ok(());
    };
    // The young child's GP's POH, when the practice has one: the linked practice's view.
    let poh = rondom_db::networks::members(c, &young.network)?
        .into_iter()
        .filter(|m| m.role_label == "huisarts")
        .find_map(|m| m.organisation_id)
        .map(|p| rondom_db::organisations::members(c, &p))
        .transpose()?
        .and_then(|ms| ms.into_iter().find(|m| m.role == Role::Poh))
        .map(|m| m.user_id.to_string());
    let at = |days: i64, hour: u32| {
        rondom_app::dates::to_utc(
            (today + chrono::Duration::days(days))
                .and_hms_opt(hour, 0, 0)
                .unwrap_or_default(),
        )
    };
    let mut participants: Vec<String> = vec![leader.clone()];
    for o in opened {
        participants.push(o.director.clone());
    }
    participants.extend(poh);
    participants.sort();
    participants.dedup();
    let meeting = |days: i64, title: &str, state: &str| Meeting {
        id: rondom_db::new_id(),
        team_org_id: team.to_owned(),
        title: title.to_owned(),
        starts_at: at(days, 14),
        place: "Wijkcentrum De Kern, zaal 2".into(),
        video_link: None,
        chair_id: leader.clone(),
        state: state.into(),
        created_by: leader.clone(),
        created_at: at(days - 14, 9),
    };
    let held = [
        (
            -35,
            young,
            "Slapen is het grootste probleem; de ouders zijn uitgeput. De school ziet een moe kind.",
            "Slaapdagboek en een avondritueel; de huisarts kijkt of er een lichamelijke oorzaak is. Over vier weken terug op de agenda.",
        ),
        (
            -21,
            sixteen,
            "Het gaat beter met school. Zij wil met iemand praten over wat er op een feest gebeurde, niet met haar moeder erbij.",
            "Jongerencoach inzetten; de casusregisseur bespreekt met haar wat haar moeder wel en niet ziet.",
        ),
    ];
    for (days, o, discussion, decisions) in held {
        let m = meeting(days, "Casuïstiekoverleg sociaal team", db::PLANNED);
        db::create(c, &m, &participants)?;
        let item = db::add_item(c, &m.id, "added", Some(&o.network), None, None, &o.director)?;
        db::record(
            c,
            &item.id,
            Some(&seal(discussion)?),
            Some(&seal(decisions)?),
            None,
            None,
            &o.director,
        )?;
        db::close(c, &m.id)?;
    }
    let next = meeting(5, "Casuïstiekoverleg sociaal team", db::PLANNED);
    db::create(c, &next, &participants)?;
    db::add_item(
        c,
        &next.id,
        "evaluation",
        Some(&teen.network),
        None,
        None,
        &leader,
    )?;
    let item = db::add_item(
        c,
        &next.id,
        "added",
        Some(&young.network),
        None,
        Some(&seal(
            "De kennismaking met de jeugdhulp loopt vertraging op. Wat kunnen we in de tussentijd doen?",
        )?),
        &young.director,
    )?;
    if let Some((member, user)) = &young.parent {
        db::invite(c, &item.id, user, member, &young.director)?;
    }
    Ok(())
}
