//! Log in (password, then second factor or its first set-up) and log out.

use super::{ClientAddr, constant_time_eq, cookie, random_token, safe_next, throttle, totp};
use crate::error::{AppError, urlencode};
use crate::extract::Query;
use crate::page::Page;
use crate::session::{self, CsrfForm, CurrentUser, PendingUser, parse_form, read_body};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::auth::login;
use rondom_domain::validate::Email;
use serde::Deserialize;

const LOGIN_CSRF_COOKIE: &str = "rondom_login";

#[derive(Deserialize, Default)]
pub struct NextQuery {
    volgende: Option<String>,
    melding: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: Page,
    email: String,
    error: Option<String>,
    next: String,
    csrf: String,
    demo_hint: bool,
}

fn render(t: &impl Template) -> Result<Html<String>, AppError> {
    t.render().map(Html).map_err(AppError::internal)
}

fn with_cookie(mut resp: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn login_csrf_cookie(state: &AppState, value: &str) -> String {
    format!(
        "{LOGIN_CSRF_COOKIE}={value}; Path=/inloggen; HttpOnly; SameSite=Strict{}",
        if state.settings.is_https() {
            "; Secure"
        } else {
            ""
        }
    )
}

fn login_page(
    state: &AppState,
    csrf: String,
    email: String,
    error: Option<String>,
    next: String,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    render(&LoginPage {
        page: Page::anonymous("Inloggen", state.settings.demo_mode).with_notice(notice),
        email,
        error,
        next,
        csrf,
        demo_hint: state.settings.demo_mode,
    })
}

pub async fn login_form(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
    req: Request,
) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    // A double-submit token guards the login form itself (login CSRF), before any
    // session exists.
    let csrf = cookie(&parts, LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() >= 32)
        .map(str::to_owned)
        .unwrap_or_else(random_token);
    let next = safe_next(q.volgende.as_deref());
    let html = login_page(
        &state,
        csrf.clone(),
        String::new(),
        None,
        next,
        q.melding.as_deref(),
    )?;
    Ok(with_cookie(
        html.into_response(),
        &login_csrf_cookie(&state, &csrf),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf: String,
    volgende: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    addr: ClientAddr,
    req: Request,
) -> Result<Response, AppError> {
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = read_body(req, &state).await?;
    let form: LoginForm = parse_form(&body)?;
    let expected = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected, &form.csrf) {
        return Err(AppError::Csrf);
    }
    let next = safe_next(Some(&form.volgende));
    let typed = form.email.trim().to_lowercase();
    let retry = |error: String, status: StatusCode| -> Result<Response, AppError> {
        Ok((
            status,
            login_page(
                &state,
                form.csrf.clone(),
                typed.clone(),
                Some(error),
                next.clone(),
                None,
            )?,
        )
            .into_response())
    };
    let retry_locked = |locked: throttle::Locked| -> Result<Response, AppError> {
        let mut resp = retry(
            throttle::locked_message(locked),
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        throttle::set_retry_after(&mut resp, locked);
        Ok(resp)
    };
    let wrong = "Het e-mailadres of het wachtwoord klopt niet.".to_owned();
    let email = match Email::parse(&form.email) {
        Ok(e) => e.into_inner(),
        Err(_) => return retry(wrong, StatusCode::UNAUTHORIZED),
    };
    let rules = login::Rules {
        dummy_hash: &state.dummy_hash,
        demo_mode: state.settings.demo_mode,
        session_absolute: chrono::Duration::from_std(state.settings.session_absolute)
            .map_err(AppError::internal)?,
    };
    let attempt = login::Attempt {
        email,
        password: form.password.clone(),
        source_address: addr.0.clone(),
        user_agent,
    };
    let (token, second, totp_enabled) = match login::password(&state.app, attempt, &rules).await? {
        login::Outcome::Throttled(locked) => return retry_locked(locked),
        login::Outcome::Wrong {
            account_locked: Some(locked),
        } => return retry_locked(locked),
        login::Outcome::Wrong {
            account_locked: None,
        } => return retry(wrong, StatusCode::UNAUTHORIZED),
        login::Outcome::ResetNeeded(locked) => {
            let mut resp = retry(
                format!(
                    "Er is vaak een verkeerd wachtwoord geprobeerd voor dit account. Probeer het over {} opnieuw, of kies ‘Wachtwoord vergeten?’: met de link in uw e-mail kiest u een nieuw wachtwoord, en daarmee kunt u meteen inloggen.",
                    crate::error::human_wait(locked.retry_after_secs)
                ),
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            throttle::set_retry_after(&mut resp, locked);
            return Ok(resp);
        }
        login::Outcome::In {
            token,
            second_factor,
            totp_enabled,
        } => (token, second_factor, totp_enabled),
    };
    let target = if !second {
        next
    } else if totp_enabled {
        format!("/inloggen/code?volgende={}", urlencode(&next))
    } else {
        format!(
            "/inloggen/tweestapsverificatie?volgende={}",
            urlencode(&next)
        )
    };
    let resp = Redirect::to(&target).into_response();
    let resp = with_cookie(resp, &session::session_cookie(&state, &token));
    Ok(with_cookie(
        resp,
        &format!("{LOGIN_CSRF_COOKIE}=; Path=/inloggen; HttpOnly; SameSite=Strict; Max-Age=0"),
    ))
}

/// The second-factor code form.
#[derive(Template)]
#[template(path = "auth/code.html")]
struct CodePage {
    page: Page,
    csrf: String,
    next: String,
    error: Option<String>,
}

pub async fn code_form(
    pending: PendingUser,
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if !pending.totp_enabled {
        return Ok(Redirect::to("/inloggen/tweestapsverificatie").into_response());
    }
    Ok(render(&CodePage {
        page: Page::anonymous("Code invullen", state.settings.demo_mode),
        csrf: pending.csrf,
        next: safe_next(q.volgende.as_deref()),
        error: None,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    volgende: String,
}

/// Gives the session a new id now that both factors are in, and sends the browser on.
async fn finish_second_factor(
    state: &AppState,
    pending: &PendingUser,
    next: &str,
    how: &str,
) -> Result<Response, AppError> {
    let token = random_token();
    let csrf = random_token();
    let owner = pending.owner();
    login::finish(&state.app, &owner, &pending.session_id, &token, &csrf, how).await?;
    Ok(with_cookie(
        Redirect::to(next).into_response(),
        &session::session_cookie(state, &token),
    ))
}

pub async fn code_submit(
    pending: PendingUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.volgende));
    let page = |error: String| CodePage {
        page: Page::anonymous("Code invullen", state.settings.demo_mode),
        csrf: pending.csrf.clone(),
        next: next.clone(),
        error: Some(error),
    };
    let owner = pending.owner();
    let accepted = match login::second_factor(&state.app, &owner, &form.code).await? {
        Ok(accepted) => accepted,
        Err(locked) => {
            let mut resp = (
                StatusCode::TOO_MANY_REQUESTS,
                render(&page(throttle::locked_message(locked)))?,
            )
                .into_response();
            throttle::set_retry_after(&mut resp, locked);
            return Ok(resp);
        }
    };
    match accepted {
        Some(how) => finish_second_factor(&state, &pending, &next, how).await,
        None => {
            Ok((
                StatusCode::UNAUTHORIZED,
                render(&page("Deze code klopt niet of is al gebruikt. Wacht op de volgende code en probeer het opnieuw.".into()))?,
            )
                .into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "auth/enrol.html")]
struct EnrolPage {
    page: Page,
    csrf: String,
    next: String,
    qr_svg: String,
    secret_grouped: String,
    error: Option<String>,
}

async fn enrol_page(
    state: &AppState,
    pending: &PendingUser,
    next: String,
    error: Option<String>,
) -> Result<Html<String>, AppError> {
    let secret =
        rondom_app::auth::second_factor::pending_secret(&state.app, &pending.user_id).await?;
    let url = totp::otpauth_url(&secret, &pending.email)
        .ok_or_else(|| AppError::internal("otpauth url"))?;
    let qr_svg = totp::qr_svg(&url).ok_or_else(|| AppError::internal("qr code"))?;
    let secret_grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    render(&EnrolPage {
        page: Page::anonymous("Tweestapsverificatie instellen", state.settings.demo_mode),
        csrf: pending.csrf.clone(),
        next,
        qr_svg,
        secret_grouped,
        error,
    })
}

pub async fn enrol_form(
    pending: PendingUser,
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if pending.totp_enabled {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    Ok(
        enrol_page(&state, &pending, safe_next(q.volgende.as_deref()), None)
            .await?
            .into_response(),
    )
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct RecoveryCodesPage {
    page: Page,
    codes: Vec<String>,
    next: String,
}

pub async fn enrol_submit(
    pending: PendingUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.volgende));
    if pending.totp_enabled {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    let (codes, hashes) = totp::recovery_codes();
    let enrolled =
        rondom_app::auth::second_factor::enable(&state.app, &pending.owner(), &form.code, hashes)
            .await?;
    if !enrolled {
        let html = enrol_page(
            &state,
            &pending,
            next,
            Some("Deze code klopt niet. Controleer of de tijd op uw telefoon goed staat en vul de nieuwste code in.".into()),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let resp = finish_second_factor(
        &state,
        &pending,
        &next,
        "password and new authenticator (enrolled)",
    )
    .await?;
    // Show the recovery codes once, on the answer that also carries the new cookie.
    let (parts, _) = resp.into_parts();
    let html = render(&RecoveryCodesPage {
        page: Page::anonymous("Herstelcodes", state.settings.demo_mode),
        codes,
        next,
    })?;
    let mut out = html.into_response();
    for v in parts.headers.get_all(header::SET_COOKIE) {
        out.headers_mut().append(header::SET_COOKIE, v.clone());
    }
    Ok(out)
}

pub async fn logout(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let current = CurrentUserOrPending::from_request(req, &state).await?;
    let owner = rondom_app::auth::sessions::SessionOwner {
        user_id: &current.user_id,
        name: &current.name,
        source_address: current.source_address.as_deref(),
    };
    rondom_app::auth::sessions::logout(&state.app, &owner, &current.session_id).await?;
    Ok(with_cookie(
        Redirect::to("/inloggen?melding=uitgelogd").into_response(),
        &session::clear_cookie(),
    ))
}

/// Logout works from any session, also one still waiting for its second factor.
struct CurrentUserOrPending {
    session_id: String,
    user_id: String,
    name: String,
    source_address: Option<String>,
}

impl FromRequest<AppState> for CurrentUserOrPending {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        use axum::extract::FromRequestParts;
        let who = match CurrentUser::from_request_parts(&mut parts, state).await {
            Ok(u) => Self {
                session_id: u.session_id,
                user_id: u.user_id,
                name: u.name,
                source_address: u.source_address,
            },
            Err(AppError::SecondFactorRequired) => {
                let p = PendingUser::from_request_parts(&mut parts, state).await?;
                Self {
                    session_id: p.session_id,
                    user_id: p.user_id,
                    name: p.name,
                    source_address: p.source_address,
                }
            }
            Err(e) => return Err(e),
        };
        let req = Request::from_parts(parts, body);
        let CsrfForm(_f): CsrfForm<crate::session::EmptyForm> =
            CsrfForm::from_request(req, state).await?;
        Ok(who)
    }
}
