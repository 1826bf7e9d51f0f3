//! The storefront as one program: `storefront` runs the frontend against the services where
//! `weftbuf.toml` puts them; `storefront serve <service>` hosts one service where the file
//! puts it, until Ctrl-C or SIGTERM.
//!
//! ```sh
//! storefront                                   # everything in this process
//! storefront --config topology.toml serve storefront.Pricing &
//! storefront --config topology.toml            # the frontend, calling it there
//! ```

use std::time::Instant;

use storefront::generated::storefront::Category;
use storefront::{deploy, frontend};

/// The deployment used without `--config`: the example's own `weftbuf.toml`.
const DEFAULT_CONFIG: &str = include_str!("../weftbuf.toml");

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let (mut config, mut serve) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => config = Some(args.next().ok_or("--config needs a file")?),
            "serve" => serve = Some(args.next().ok_or("serve needs a service's name")?),
            other => return Err(format!("unexpected argument `{other}`").into()),
        }
    }
    let (text, source) = match &config {
        Some(path) => (std::fs::read_to_string(path)?, path.clone()),
        None => (DEFAULT_CONFIG.to_string(), "weftbuf.toml".to_string()),
    };
    let deployment = deploy::deployment(&text, &source)?;
    if let Some(service) = serve {
        let started = |at: &str| println!("serving {service} at {at}");
        deploy::serve(&service, &deployment, stop_signal()?, started).await?;
        return Ok(());
    }
    let local = deploy::in_process();
    let deploy::Clients { catalog, pricing } = deploy::clients(&deployment, &local)?;
    let started = Instant::now();
    let shelf = frontend::shelf(&catalog, Category::MUSIC).await?;
    println!("the music shelf: {shelf:?}");
    let quote = frontend::quote(&pricing, shelf[0], "vip-ada").await?;
    let view = quote.get();
    println!(
        "product {} for vip-ada: {} cents ({:?})",
        view.sku(),
        view.price().map_or(0, |p| p.units()),
        view.discount_type()
    );
    let prices = frontend::quote_each(&pricing, &shelf).await?;
    println!("the shelf quoted over one stream: {prices:?}");
    let total = frontend::basket(&pricing, &shelf).await?;
    println!(
        "a basket of the shelf: {} lines, {} cents",
        total.get().lines(),
        total.get().price().map_or(0, |p| p.units())
    );
    println!("done in {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}
