//! The command line: clap definitions of `bimtek build` and `bimtek check`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "bimtek",
    version,
    about = "Builds one static training site per regency from markdown modules and YAML schedules"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the sites into the output folder (replaced whole, only when the build succeeds)
    Build(BuildArgs),
    /// Validate everything a build would, and write nothing
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct ProjectArgs {
    /// The project folder, holding bimtek.yaml and content/
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Include modules marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Where to write the sites [default: <root>/output]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build only this regency (its folder name under content/regencies); repeat for more
    #[arg(long = "site", value_name = "REGENCY")]
    pub sites: Vec<String>,
    /// Write HTML as rendered, without minifying it
    #[arg(long)]
    pub no_minify: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
}
