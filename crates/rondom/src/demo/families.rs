//! Families: parents and, from 12, the young person have their own account. These are
//! not (yet) in a network; `networks` makes the families that are.

use super::data::*;
use super::slug;
use super::world::World;
use rand::Rng;
use rand::seq::SliceRandom;
use rondom_db::{AnyConnection, DbError, users};
use rondom_domain::Role;

pub(super) fn build(c: &mut AnyConnection, w: &mut World) -> Result<(), DbError> {
    for f in 0..6 {
        let surname = LAST.choose(&mut w.g.rng).copied().unwrap_or("Jansen");
        let parent_first = FIRST.choose(&mut w.g.rng).copied().unwrap_or("Sam");
        let parent = format!("{parent_first} {surname}");
        let email = format!("{}.{}{f}@gezin.example", slug(parent_first), slug(surname));
        users::create(
            c,
            &users::NewUser {
                email: &email,
                name: &parent,
                password_hash: Some(w.password_hash),
                family_role: Some(Role::OuderVerzorger.as_str()),
                is_demo: true,
            },
        )?;
        w.user_count += 1;
        if w.g.rng.gen_bool(0.5) {
            let child_first = FIRST.choose(&mut w.g.rng).copied().unwrap_or("Alex");
            let child_email = format!("{}.{}{f}@jong.example", slug(child_first), slug(surname));
            users::create(
                c,
                &users::NewUser {
                    email: &child_email,
                    name: &format!("{child_first} {surname}"),
                    password_hash: Some(w.password_hash),
                    family_role: Some(Role::Jeugdige.as_str()),
                    is_demo: true,
                },
            )?;
            w.user_count += 1;
        }
    }
    Ok(())
}
