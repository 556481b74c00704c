//! `column IN (values)` with the values as one bind parameter, so that the statement is
//! the same text whatever the number of values and the connection keeps it prepared.
//!
//! diesel's `eq_any` writes one placeholder per value on SQLite and marks the statement
//! as not to be cached: SQLite parses and plans it anew on every call. On the meeting
//! agenda, with ten such reads per request, that was 13 % of the server's CPU (perf, the
//! full-scale bench database). PostgreSQL gets what `eq_any` writes there
//! (`= ANY($1)`, one array), so its plans do not change; SQLite reads the values from a
//! JSON array (`IN (SELECT value FROM json_each(?))`), which it plans as a list
//! subquery driving the column's index, as it did the literal list.

use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Text};
use diesel::sqlite::Sqlite;

use crate::backend::MultiBackend;

/// See the module. Build it with [`in_list`].
#[derive(Debug, Clone)]
pub struct InList<C> {
    column: C,
    values: Vec<String>,
    /// The values as a JSON array, for SQLite.
    json: String,
}

/// `column IN (values)` for a text column, kept prepared on both engines. Use it for
/// lists of ids on the paths a page takes on every request.
pub fn in_list<C, V>(column: C, values: impl IntoIterator<Item = V>) -> InList<C>
where
    V: AsRef<str>,
{
    let values: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();
    // A list of strings always serialises; an empty array matches nothing, as an
    // empty `eq_any` does.
    let json = serde_json::to_string(&values).unwrap_or_else(|_| "[]".into());
    InList {
        column,
        values,
        json,
    }
}

impl<C: Expression> Expression for InList<C> {
    type SqlType = Bool;
}

impl<C: QueryId> QueryId for InList<C> {
    type QueryId = InList<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C, QS> AppearsOnTable<QS> for InList<C> where C: AppearsOnTable<QS> {}

impl<C, GB> ValidGrouping<GB> for InList<C>
where
    C: ValidGrouping<GB>,
{
    type IsAggregate = C::IsAggregate;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for InList<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for InList<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<Text>, _>(&self.values)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C> QueryFragment<MultiBackend> for InList<C>
where
    C: QueryFragment<Sqlite> + QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        MultiBackend::walk_variant_ast(self, pass)
    }
}
