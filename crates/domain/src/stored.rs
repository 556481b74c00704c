//! How the database reads and writes the domain's typed values (ids, statuses, kinds,
//! roles): each as its text, one `FromSql`/`ToSql` pair per type for both engines. A
//! stored text that is no value of its type fails the read; it never passes on as some
//! other value. Compiled only with the `diesel` feature, which only the db crate turns on:
//! the rest of the domain knows nothing of storage.

/// Gives `$t` (which has `TryFrom<String>` and `AsRef<str>`) its text form in SQL.
#[macro_export]
#[doc(hidden)]
macro_rules! stored_as_text {
    ($($t:ty),* $(,)?) => {$(
        #[cfg(feature = "diesel")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $t
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text =
                    <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                Ok(<$t>::try_from(text)?)
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $t
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    AsRef::<str>::as_ref(self),
                    out,
                )
            }
        }
    )*};
}
