#[test]
fn the_menu_shows_what_the_policy_allows() {
    let gp = actor(&[("p", Role::Huisarts)]);
    let c = super::capabilities(&gp);
    assert!(c.professional && c.consults && c.refers);
    assert!(!c.administers && !c.reads_audit);
    let admin = actor(&[("p", Role::OrganisatieBeheerder)]);
    let c = super::capabilities(&admin);
    assert!(c.administers && c.reads_audit && !c.consults && !c.refers);
    let provider = actor(&[("z", Role::ZorgaanbiederMedewerker)]);
    let c = super::capabilities(&provider);
    assert!(c.refers && !c.consults, "a provider receives referrals");
    let parent = Actor {
        user_id: "f".into(),
        memberships: vec![],
        family_role: Some(Role::OuderVerzorger),
        kinds: vec![],
    };
    assert_eq!(super::capabilities(&parent), super::Capabilities::default());
    assert_eq!(
        super::organisations_where(
            &actor(&[
                ("t", Role::Consulent),
                ("t", Role::Teamleider),
                ("p", Role::Poh)
            ]),
            super::answers_for
        ),
        vec!["t".to_owned()],
        "each organisation once"
    );
}

#[test]
fn a_link_holds_at_once_only_within_the_team_s_municipalities() {
    assert!(super::link_holds_at_once("GM0001", "GM0001", &[]));
    assert!(super::link_holds_at_once("GM0002", "GM0001", &["GM0002"]));
    assert!(!super::link_holds_at_once("GM0003", "GM0001", &["GM0002"]));
}

use super::*;

fn actor(memberships: &[(&str, Role)]) -> Actor {
    Actor {
        user_id: "u1".into(),
        memberships: memberships
            .iter()
            .map(|(o, r)| ((*o).to_owned(), *r))
            .collect(),
        family_role: None,
        kinds: vec![],
    }
}

#[test]
fn platform_admin_manages_all_organisations() {
    let a = actor(&[("platform", Role::Beheerder)]);
    assert!(authorize(&a, Action::Create, Resource::Organisations).is_allowed());
    assert!(authorize(&a, Action::ManageMembers, Resource::Organisation("x")).is_allowed());
    assert!(authorize(&a, Action::Read, Resource::AuditLog(None)).is_allowed());
}

#[test]
fn organisation_admin_manages_only_their_own() {
    let a = actor(&[
        ("praktijk-a", Role::OrganisatieBeheerder),
        ("praktijk-a", Role::Huisarts),
    ]);
    assert!(
        authorize(
            &a,
            Action::ManageMembers,
            Resource::Organisation("praktijk-a")
        )
        .is_allowed()
    );
    assert!(
        !authorize(
            &a,
            Action::ManageMembers,
            Resource::Organisation("praktijk-b")
        )
        .is_allowed()
    );
    assert!(!authorize(&a, Action::Read, Resource::Organisation("praktijk-b")).is_allowed());
    assert!(!authorize(&a, Action::Create, Resource::Organisations).is_allowed());
    assert!(authorize(&a, Action::Read, Resource::AuditLog(Some("praktijk-a"))).is_allowed());
    assert!(!authorize(&a, Action::Read, Resource::AuditLog(Some("praktijk-b"))).is_allowed());
    assert!(!authorize(&a, Action::Read, Resource::AuditLog(None)).is_allowed());
}

#[test]
fn an_ordinary_member_administers_nothing() {
    let a = actor(&[("praktijk-a", Role::Huisarts)]);
    assert!(!authorize(&a, Action::Read, Resource::Organisation("praktijk-a")).is_allowed());
    assert!(
        !authorize(
            &a,
            Action::ManageMembers,
            Resource::Organisation("praktijk-a")
        )
        .is_allowed()
    );
    assert!(!authorize(&a, Action::Read, Resource::Organisations).is_allowed());
    assert!(!authorize(&a, Action::Read, Resource::AuditLog(Some("praktijk-a"))).is_allowed());
}

#[test]
fn a_practice_sees_its_own_team_only() {
    let a = actor(&[("praktijk-a", Role::Poh)]);
    assert!(authorize(&a, Action::Read, Resource::PracticeTeam("praktijk-a")).is_allowed());
    assert!(!authorize(&a, Action::Read, Resource::PracticeTeam("praktijk-b")).is_allowed());
    assert!(!authorize(&a, Action::Update, Resource::PracticeTeam("praktijk-a")).is_allowed());
}

#[test]
fn only_the_owning_organisations_admins_change_its_entries() {
    let admin = actor(&[("aanbieder", Role::OrganisatieBeheerder)]);
    let worker = actor(&[("aanbieder", Role::ZorgaanbiederMedewerker)]);
    let platform = actor(&[("platform", Role::Beheerder)]);
    let entry = Resource::DirectoryEntry("aanbieder");
    assert!(authorize(&admin, Action::Update, entry).is_allowed());
    assert!(authorize(&admin, Action::Create, entry).is_allowed());
    assert!(!authorize(&admin, Action::Update, Resource::DirectoryEntry("ander")).is_allowed());
    assert!(!authorize(&worker, Action::Update, entry).is_allowed());
    assert!(!authorize(&platform, Action::Update, entry).is_allowed());
    assert!(authorize(&worker, Action::Read, entry).is_allowed());
}

#[test]
fn consultations_are_for_the_practice_and_the_team_only() {
    let gp = actor(&[("linde", Role::Huisarts)]);
    let poh = actor(&[("linde", Role::Poh)]);
    let admin = actor(&[("linde", Role::OrganisatieBeheerder)]);
    let consultant = actor(&[("team", Role::Consulent)]);
    let other_gp = actor(&[("noord", Role::Huisarts)]);
    let other_team = actor(&[("elders", Role::Consulent)]);
    let platform = actor(&[("platform", Role::Beheerder)]);
    let c = Resource::Consultation {
        practice: "linde",
        team: "team",
    };
    for a in [&gp, &poh, &consultant] {
        assert!(authorize(a, Action::Read, c).is_allowed());
        assert!(authorize(a, Action::Update, c).is_allowed());
    }
    for a in [&admin, &other_gp, &other_team, &platform] {
        assert!(!authorize(a, Action::Read, c).is_allowed());
    }
    assert!(authorize(&gp, Action::Create, Resource::ConsultationFrom("linde")).is_allowed());
    assert!(
        !authorize(
            &consultant,
            Action::Create,
            Resource::ConsultationFrom("linde")
        )
        .is_allowed()
    );
    assert!(
        authorize(
            &consultant,
            Action::Read,
            Resource::ConsultationQueue("team")
        )
        .is_allowed()
    );
    assert!(!authorize(&gp, Action::Read, Resource::ConsultationQueue("team")).is_allowed());
}

#[test]
fn professionals_read_the_directory_families_do_not_yet() {
    assert!(
        authorize(
            &actor(&[("school", Role::School)]),
            Action::Read,
            Resource::Directory
        )
        .is_allowed()
    );
    let parent = Actor {
        user_id: "f".into(),
        memberships: vec![],
        family_role: Some(Role::OuderVerzorger),
        kinds: vec![],
    };
    assert!(!authorize(&parent, Action::Read, Resource::Directory).is_allowed());
}

#[test]
fn accounts_belong_to_their_owner() {
    let a = actor(&[("platform", Role::Beheerder)]);
    assert!(authorize(&a, Action::Update, Resource::Account("u1")).is_allowed());
    assert!(!authorize(&a, Action::Update, Resource::Account("u2")).is_allowed());
}

#[test]
fn a_family_member_administers_nothing() {
    let a = Actor {
        user_id: "f1".into(),
        memberships: vec![],
        family_role: Some(Role::OuderVerzorger),
        kinds: vec![],
    };
    assert!(!authorize(&a, Action::Read, Resource::Organisations).is_allowed());
    assert!(!authorize(&a, Action::Read, Resource::Organisation("x")).is_allowed());
    assert_eq!(a.roles().collect::<Vec<_>>(), vec![Role::OuderVerzorger]);
}

mod referral {
    use super::*;

    fn actor(memberships: &[(&str, Role)]) -> Actor {
        Actor {
            user_id: "u".into(),
            memberships: memberships
                .iter()
                .map(|(o, r)| (o.to_string(), *r))
                .collect(),
            family_role: None,
            kinds: vec![],
        }
    }

    #[test]
    fn only_the_two_sides_of_a_referral_take_part() {
        let r = Resource::Referral {
            from: "praktijk",
            to: "team",
        };
        assert!(authorize(&actor(&[("praktijk", Role::Huisarts)]), Action::Read, r).is_allowed());
        assert!(authorize(&actor(&[("praktijk", Role::Poh)]), Action::Update, r).is_allowed());
        assert!(authorize(&actor(&[("team", Role::Consulent)]), Action::Update, r).is_allowed());
        for outsider in [
            actor(&[("andere-praktijk", Role::Huisarts)]),
            actor(&[("ander-team", Role::Consulent)]),
            actor(&[("aanbieder", Role::ZorgaanbiederMedewerker)]),
            // Working at the practice is not enough: the assistant's admin role is not
            // a care role.
            actor(&[("praktijk", Role::OrganisatieBeheerder)]),
            actor(&[("platform", Role::Beheerder)]),
        ] {
            assert!(!authorize(&outsider, Action::Read, r).is_allowed());
        }
        // A provider sees what is referred to it, not what its staff could refer.
        let onward = Resource::Referral {
            from: "team",
            to: "aanbieder",
        };
        assert!(
            authorize(
                &actor(&[("aanbieder", Role::ZorgaanbiederMedewerker)]),
                Action::Read,
                onward
            )
            .is_allowed()
        );
        assert!(
            !authorize(
                &actor(&[("aanbieder", Role::ZorgaanbiederMedewerker)]),
                Action::Create,
                Resource::ReferralFrom("aanbieder")
            )
            .is_allowed()
        );
    }

    #[test]
    fn only_a_municipality_admin_sets_its_agreements() {
        let a = Resource::ReferralAgreements("gemeente");
        assert!(
            authorize(
                &actor(&[("gemeente", Role::OrganisatieBeheerder)]),
                Action::Create,
                a
            )
            .is_allowed()
        );
        assert!(
            !authorize(&actor(&[("platform", Role::Beheerder)]), Action::Create, a).is_allowed()
        );
        assert!(authorize(&actor(&[("praktijk", Role::Huisarts)]), Action::Read, a).is_allowed());
        assert!(
            !authorize(&actor(&[("praktijk", Role::Huisarts)]), Action::Update, a).is_allowed()
        );
    }
}

#[test]
fn schools_and_jgz_use_the_overleglijn_too() {
    for role in [Role::School, Role::Jgz] {
        let a = actor(&[("s", role)]);
        assert!(super::capabilities(&a).consults, "{role:?}");
        assert!(authorize(&a, Action::Create, Resource::ConsultationFrom("s")).is_allowed());
        assert!(!authorize(&a, Action::Create, Resource::ConsultationFrom("other")).is_allowed());
        assert!(
            !authorize(&a, Action::Read, Resource::ConsultationQueue("s")).is_allowed(),
            "asking is not answering"
        );
    }
}
