//! The contract of `rondom-db`: what the rest of Rondom relies on from the storage
//! layer, asserted on both engines. Every contract is one async function taking the
//! engine; `on_both_engines!` runs it once on a fresh SQLite file and once on a fresh
//! PostgreSQL database (`TEST_POSTGRES_URL`, default
//! postgres://postgres@127.0.0.1:5432/postgres), so that a difference between the two
//! shows up as one of the pair failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Runs each named contract once per engine.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Engine::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Engine::Postgres).await
                }
            }
        )*
    };
}

#[path = "contract/support.rs"]
mod support;

#[path = "contract/accounts.rs"]
mod accounts;
#[path = "contract/audit.rs"]
mod audit;
#[path = "contract/changes.rs"]
mod changes;
#[path = "contract/consultations.rs"]
mod consultations;
#[path = "contract/directory.rs"]
mod directory;
#[path = "contract/organisations.rs"]
mod organisations;
#[path = "contract/referrals.rs"]
mod referrals;
