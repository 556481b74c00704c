//! Logging in and out, the second factor, throttling, session expiry, password reset.

mod lockout;
mod login;
mod reset;
mod sessions;
