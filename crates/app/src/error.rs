//! The errors of the use cases, in domain terms. The web crate maps them to HTTP answers
//! in one place (`web::error`); the command line to a sentence and an exit code.

use rondom_db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or this person may not know that it does.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// A referral cannot make this move; `allowed` are the moves this person may make.
    #[error("transition not allowed")]
    TransitionNotAllowed {
        message: String,
        allowed: Vec<&'static str>,
    },
    /// A rule of the domain refuses this; the sentence (Dutch) says why.
    #[error("refused: {0}")]
    Refused(String),
    #[error(transparent)]
    Db(DbError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => Self::NotFound,
            other => Self::Db(other),
        }
    }
}

/// What a use case answers when the input itself is wrong: the problems, each with the
/// field it belongs to, so the form can be shown again with them.
pub type Checked<T> = Result<T, Vec<rondom_domain::validate::ValidationError>>;
