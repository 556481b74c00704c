//! `rondom admin …`: organisations, people, password links and API tokens from the
//! command line, through `rondom_app::console` (audited as the command line).

use super::*;

pub(super) fn admin(
    command: AdminCommand,
    db: &rondom_db::Db,
    config: &Config,
) -> Result<ExitCode, String> {
    match command {
        AdminCommand::NewKey => {
            println!("{}", rondom_app::secrets::new_key());
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::RotateKey { dry_run } => rotate_key(db, config, dry_run),
        AdminCommand::CreateOrganisation {
            name,
            kind,
            gemeente_code,
            agb_code,
            street,
            house_number,
            postcode,
            city,
        } => {
            let kind =
                OrganisationKind::parse(&kind).ok_or_else(|| format!("unknown kind \"{kind}\""))?;
            let agb_code = agb_code
                .map(|a| AgbCode::parse(&a).map(|a| a.into_inner()))
                .transpose()
                .map_err(|e| e.message)?;
            if kind.requires_agb() && agb_code.is_none() {
                return Err(
                    "an AGB code (--agb-code) is required for this kind of organisation".into(),
                );
            }
            let input = OrganisationInput {
                name: required_text("name", "de naam", &name, 200).map_err(|e| e.message)?,
                kind,
                agb_code,
                gemeente_code: GemeenteCode::parse(&gemeente_code)
                    .map_err(|e| e.message)?
                    .into_inner(),
                wijk_code: None,
                street: required_text("street", "de straat", &street, 200)
                    .map_err(|e| e.message)?,
                house_number: required_text("house_number", "het huisnummer", &house_number, 20)
                    .map_err(|e| e.message)?,
                postcode: Postcode::parse(&postcode)
                    .map_err(|e| e.message)?
                    .into_inner(),
                city: required_text("city", "de plaats", &city, 100).map_err(|e| e.message)?,
                phone: None,
                email: None,
            };
            let o = rondom_app::console::create_organisation(db, &input)
                .map_err(|e| format!("the organisation could not be created: {e}"))?;
            println!("organisation created: {} ({})", o.name, o.id);
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::CreateUser {
            email,
            name,
            organisation,
            role,
            password_stdin,
        } => {
            let email = Email::parse(&email).map_err(|e| e.message)?.into_inner();
            let name = required_text("name", "de naam", &name, 200).map_err(|e| e.message)?;
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role \"{role}\""))?;
            let password_hash = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| e.to_string())?;
                let pw = line.trim_end_matches(['\n', '\r']).to_owned();
                check_new_password(&pw, &[&name, &email]).map_err(|e| e.message)?;
                Some(rondom_app::auth::password::hash_blocking(&pw)?)
            } else {
                None
            };
            let (uid, created) = rondom_app::console::add_member(
                db,
                &organisation,
                &email,
                &name,
                role,
                password_hash.as_deref(),
            )?;
            println!(
                "{} {email} ({uid}) as {}",
                if created { "created" } else { "updated" },
                role.as_str()
            );
            if password_hash.is_none() && created {
                let link = reset_link(
                    db,
                    config,
                    &uid,
                    &email,
                    rondom_app::auth::links::INVITE_VALID_HOURS,
                )?;
                println!("set-password link (valid 72 hours, works once): {link}");
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::ResetPassword { email } => {
            let email = Email::parse(&email).map_err(|e| e.message)?.into_inner();
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let u = users::find_by_email(&mut conn, &email)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user with e-mail address {email}"))?;
            drop(conn);
            let link = reset_link(
                db,
                config,
                &u.id,
                &email,
                rondom_app::auth::links::RESET_VALID_HOURS,
            )?;
            println!("password reset link (valid 1 hour, works once): {link}");
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::CreateToken { email, name } => {
            let email = Email::parse(&email).map_err(|e| e.message)?.into_inner();
            let name = required_text("name", "de naam", &name, 80).map_err(|e| e.message)?;
            let value = rondom_app::console::create_token(db, &email, &name)?;
            println!("{value}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn reset_link(
    db: &rondom_db::Db,
    config: &Config,
    user_id: &str,
    email: &str,
    hours: i64,
) -> Result<String, String> {
    let rt = runtime()?;
    // Only the mailer: the server's state (a dummy password hash, the change watcher)
    // is not needed for one link.
    let mailer = rondom_app::mail::Mailer::new(config.smtp.as_ref())?;
    let token =
        rondom_app::console::issue_reset_link(db, user_id, hours).map_err(|e| e.to_string())?;
    let link = format!("{}/wachtwoord-herstellen/{token}", config.web.base_url);
    if mailer.is_configured() {
        rt.block_on(mailer.send(
            email,
            "Wachtwoord instellen in Rondom",
            &format!("Goedendag,\n\nStel via deze link uw wachtwoord voor Rondom in (de link werkt één keer):\n\n{link}\n\nMet vriendelijke groet,\nRondom"),
        ))?;
    }
    Ok(link)
}

fn rotate_key(db: &rondom_db::Db, config: &Config, dry_run: bool) -> Result<ExitCode, String> {
    if config.previous_keys.is_empty() {
        return Err("set RONDOM_PREVIOUS_SECRET_KEYS to the key being replaced and RONDOM_SECRET_KEY to the new one (`rondom admin new-key` makes one); give the servers the same settings first".into());
    }
    let (ring, _) = app::keys(config, db)?;
    let reports =
        rondom_app::admin::rotate_key::rotate(db, &ring, dry_run).map_err(|e| e.to_string())?;
    let verb = if dry_run {
        "to seal again"
    } else {
        "sealed again"
    };
    for r in &reports {
        println!(
            "{:<22} {:<18} {verb}: {:>7}  already current: {:>7}  changed meanwhile: {:>5}  unreadable: {}",
            r.table, r.column, r.resealed, r.current, r.changed_meanwhile, r.unreadable
        );
    }
    let unreadable: usize = reports.iter().map(|r| r.unreadable).sum();
    let left: usize = if dry_run {
        reports.iter().map(|r| r.resealed).sum()
    } else {
        0
    };
    if unreadable > 0 {
        eprintln!(
            "{unreadable} value(s) open with none of the configured keys (see the log): keep the old key until they are explained."
        );
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        println!("{left} value(s) would be sealed again; nothing was changed.");
    } else {
        println!(
            "Done: nothing is sealed under an earlier key any more. Remove RONDOM_PREVIOUS_SECRET_KEYS from the settings of every server."
        );
    }
    Ok(ExitCode::SUCCESS)
}
