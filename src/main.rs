//! The `bimtek` binary: parses the command line, runs the library, prints problems, sets the exit code.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use bimtek::diagnostics::Diagnostic;
use bimtek::{BuildOptions, Failure, Report};
use clap::Parser;
use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The HTML minifier recurses once per nesting level; roomy stacks (address space, not memory
    // used) keep pathological pages from overflowing them. Markdown nesting is capped as well.
    let _ = rayon::ThreadPoolBuilder::new().stack_size(256 << 20).build_global();
    let (result, verb) = match cli.command {
        Command::Build(args) => {
            let options = BuildOptions {
                root: args.project.root,
                out: args.out,
                sites: args.sites,
                shard: args.shard,
                drafts: args.project.drafts,
                minify: !args.no_minify,
                timestamp: source_date_epoch(),
            };
            (bimtek::build(&options), "built")
        }
        Command::Serve(args) => {
            let options = bimtek::serve::ServeOptions {
                root: args.project.root,
                address: std::net::SocketAddr::new(args.bind, args.port),
                drafts: args.project.drafts,
                open: args.open,
            };
            if let Err(message) = bimtek::serve::run(options) {
                eprintln!("error: {message}");
                return ExitCode::FAILURE;
            }
            return ExitCode::SUCCESS;
        }
        Command::Sites(args) => return sites(&args),
        Command::Init(args) => return scaffolded(bimtek::scaffold::init(&args.dir), Some(&args.dir)),
        Command::New(cli::NewCommand::Module { slug, regency, topic, roles, root }) => {
            let new = bimtek::scaffold::NewModule {
                slug: &slug,
                regency: regency.as_deref(),
                topic: topic.as_deref(),
                roles: &roles,
            };
            return scaffolded(bimtek::scaffold::new_module(&root, &new), None);
        }
        Command::New(cli::NewCommand::Regency { slug, root }) => {
            return scaffolded(bimtek::scaffold::new_regency(&root, &slug), None);
        }
        Command::Check(args) => {
            let options = BuildOptions {
                root: args.project.root,
                out: None,
                sites: Vec::new(),
                shard: None,
                drafts: args.project.drafts,
                minify: false,
                timestamp: source_date_epoch(),
            };
            return check(&options, args.format, args.deny_warnings);
        }
    };
    match result {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            print_summary(&report, verb);
            ExitCode::SUCCESS
        }
        Err(Failure { diagnostics }) => {
            print_diagnostics(&diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "{errors} error{}{}; nothing was written",
                if errors == 1 { "" } else { "s" },
                if warnings > 0 {
                    format!(", {warnings} warning{}", if warnings == 1 { "" } else { "s" })
                } else {
                    String::new()
                }
            );
            ExitCode::FAILURE
        }
    }
}

fn scaffolded(result: Result<bimtek::scaffold::Written, Diagnostic>, project: Option<&std::path::Path>) -> ExitCode {
    match result {
        Ok(written) => {
            for file in &written.files {
                println!("created {}", file.display());
            }
            if let Some(dir) = project {
                println!("\nnext: cd {} && bimtek serve   (or bimtek build)", dir.display());
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprintln!("{d}");
            ExitCode::FAILURE
        }
    }
}

/// `bimtek check`: problems on stdout in the chosen format, a count on stderr; exit 1 for errors,
/// 3 for warnings under `--deny-warnings`, else 0.
fn check(options: &BuildOptions, format: cli::Format, deny_warnings: bool) -> ExitCode {
    let diagnostics = match bimtek::check(options) {
        Ok(report) => report.warnings,
        Err(Failure { diagnostics }) => diagnostics,
    };
    let mut stdout = std::io::stdout().lock();
    for d in &diagnostics {
        let _ = match format {
            cli::Format::Short => writeln!(stdout, "{}", d.short()),
            cli::Format::Full => writeln!(stdout, "{d}"),
            cli::Format::Github => writeln!(stdout, "{}", d.github()),
        };
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    eprintln!("checked: {errors} error{}, {warnings} warning{}", plural(errors), plural(warnings));
    if errors > 0 {
        ExitCode::FAILURE
    } else if warnings > 0 && deny_warnings {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The reproducible-builds convention for "when was this content made", e.g. the commit time.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(stderr, "{d}");
    }
}

/// `bimtek sites`: the regencies and their split into shards, as text or as JSON for a CI matrix.
fn sites(args: &cli::SitesArgs) -> ExitCode {
    let sites = match bimtek::sites(&args.root) {
        Ok(sites) => sites,
        Err(Failure { diagnostics }) => {
            print_diagnostics(&diagnostics);
            return ExitCode::FAILURE;
        }
    };
    let k = usize::from(args.shards);
    let plan = bimtek::shard::plan(&sites, k);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        #[derive(serde::Serialize)]
        struct Part<'a> {
            shard: String,
            regencies: &'a [String],
        }
        #[derive(serde::Serialize)]
        struct Plan<'a> {
            regencies: &'a [bimtek::shard::Site],
            shards: Vec<Part<'a>>,
        }
        let shards =
            plan.iter().enumerate().map(|(i, regencies)| Part { shard: format!("{}/{k}", i + 1), regencies }).collect();
        let json = serde_json::to_string(&Plan { regencies: &sites, shards }).unwrap_or_default();
        let _ = writeln!(stdout, "{json}");
        return ExitCode::SUCCESS;
    }
    for site in &sites {
        let _ = writeln!(stdout, "{}\t{} module pages", site.slug, site.modules);
    }
    if k > 1 {
        for (i, slugs) in plan.iter().enumerate() {
            let _ = writeln!(stdout, "shard {}/{k}: {}", i + 1, slugs.join(" "));
        }
    }
    ExitCode::SUCCESS
}

fn print_summary(report: &Report, verb: &str) {
    let mut stdout = std::io::stdout().lock();
    let where_ = match &report.written {
        Some(w) if w.incremental => {
            format!(" into {} ({} written, {} removed, the rest unchanged)", report.out.display(), w.files, w.removed)
        }
        Some(_) => format!(" into {}", report.out.display()),
        None => String::new(),
    };
    let _ = writeln!(
        stdout,
        "{verb} {} regenc{}, {} module pages, {} files{where_} in {:.0} ms{}",
        report.regencies,
        if report.regencies == 1 { "y" } else { "ies" },
        report.modules,
        report.files,
        report.seconds * 1000.0,
        if report.warnings.is_empty() { String::new() } else { format!(" ({} warnings)", report.warnings.len()) },
    );
    if verb == "built" {
        for copy in &report.offline {
            let _ = writeln!(
                stdout,
                "  {}: {} files, {:.0} KB kept on a phone for offline use",
                copy.regency,
                copy.files,
                copy.bytes as f64 / 1024.0
            );
        }
    }
}
