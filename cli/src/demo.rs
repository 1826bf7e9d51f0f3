//! `weftbuf demo`: the bundled storefront (a frontend asks a catalog for products, then a
//! pricing service for a quote of each), run with the same code over each boundary, printing
//! what a call costs on each, side by side.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use weftbuf_rpc::config::{Deployment, Location};
use weftbuf_rpc::{Channel, Context, InProc, Message, Requests, Sink, Status};
use weftbuf_rt::Builder;

/// The storefront schema's generated code, with its service code (the checked-in golden of
/// `weftbuf gen --rpc schemas/storefront.fbs`).
#[allow(unused_imports, dead_code, unreachable_pub, missing_docs)]
mod generated {
    include!("../../goldens/rust/rpc/storefront.rs");
}

use generated::storefront::{
    CatalogClient, CatalogDescriptor, CatalogServer, CatalogService, Category, DiscountRef,
    GetQuote, GetQuoteBuilder, GetQuoteT, ListProducts, ListProductsBuilder, Money, PricingClient,
    PricingDescriptor, PricingServer, PricingService, ProductBuilder, QuoteBuilder, QuoteT, Tag,
    TotalBuilder,
};
use weftbuf_rt::Service as _;

/// The services of the storefront, as deployments name them.
const CATALOG: &str = CatalogDescriptor::NAME;
const PRICING: &str = PricingDescriptor::NAME;

/// The deployment the demo runs with no `--config`: every service in this process.
pub(crate) const DEFAULT_CONFIG: &str = r#"# The storefront, every component in one process.
[defaults]
at = "inproc"
deadline = "2s"

[services."storefront.Catalog"]
at = "inproc"

[services."storefront.Pricing"]
at = "inproc"
retry = { attempts = 3, backoff = "5ms" }
"#;

/// How many products the catalog holds.
const PRODUCTS: u64 = 48;

/// The catalog: `PRODUCTS` products, their shelf by SKU.
struct Catalog;

fn list_price(sku: u64) -> i64 {
    199 + 100 * (sku % 17) as i64
}

impl CatalogService for Catalog {
    async fn list(
        &self,
        ctx: &Context,
        request: ListProducts<'_>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        let wanted = request.category();
        let mut sent = 0;
        for sku in 0..PRODUCTS {
            let category = Category((sku % 4) as u8);
            if wanted.is_some_and(|c| c != category) {
                continue;
            }
            if sent == request.limit() {
                break;
            }
            ctx.check()?;
            let mut product = ProductBuilder::new(responses.builder())?;
            product
                .sku(sku)
                .category(category)
                .tags(if sku.is_multiple_of(3) {
                    Tag::ON_SALE
                } else {
                    Tag::NEW
                })
                .list_price(&Money::new(list_price(sku), *b"EUR"));
            product.name(&format!("product {sku}"))?;
            product.keywords(&["demo", "storefront"])?;
            product.finish()?;
            responses.send().await?;
            sent += 1;
        }
        Ok(())
    }
}

/// Pricing: products on sale are 10% off for everyone; customers named `vip...` get 50 cents
/// off the rest.
struct Pricing;

impl PricingService for Pricing {
    async fn quote(
        &self,
        _ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        write_quote(request, response)
    }

    async fn quote_each(
        &self,
        ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        while let Some(request) = requests.next().await {
            ctx.check()?;
            write_quote(request?.get(), responses.builder())?;
            responses.send().await?;
        }
        Ok(())
    }

    async fn basket(
        &self,
        ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        let (mut lines, mut total) = (0, 0);
        while let Some(request) = requests.next().await {
            ctx.check()?;
            let request = request?;
            let request = request.get();
            total += price(request.sku(), request.customer())?.0;
            lines += 1;
        }
        let mut basket = TotalBuilder::new(response)?;
        basket.lines(lines).price(&Money::new(total, *b"EUR"));
        basket.finish()?;
        Ok(())
    }
}

/// What a product costs a customer, and the discount that makes it so.
enum Discount {
    None,
    PercentOff(u8),
    AmountOff(i64),
}

/// The price of `sku` for `customer`.
fn price(sku: u64, customer: Option<&str>) -> Result<(i64, Discount), Status> {
    if sku >= PRODUCTS {
        return Err(Status::not_found(format!("no product {sku}")));
    }
    let list = list_price(sku);
    Ok(if sku.is_multiple_of(3) {
        (list - list / 10, Discount::PercentOff(10))
    } else if customer.is_some_and(|c| c.starts_with("vip")) {
        (list - 50, Discount::AmountOff(50))
    } else {
        (list, Discount::None)
    })
}

/// Writes the quote `request` asks for into `response`.
fn write_quote(request: GetQuote<'_>, response: &mut Builder<'static>) -> Result<(), Status> {
    let sku = request.sku();
    let (units, discount) = price(sku, request.customer())?;
    let mut quote = QuoteBuilder::new(response)?;
    quote.sku(sku).price(&Money::new(units, *b"EUR"));
    match discount {
        Discount::None => {}
        Discount::PercentOff(percent) => {
            quote.discount_percent_off()?.percent(percent);
        }
        Discount::AmountOff(units) => {
            quote
                .discount_amount_off()?
                .amount(&Money::new(units, *b"EUR"));
        }
    }
    quote.finish()?;
    Ok(())
}

/// What one run of the workload measured.
struct Timings {
    quotes: Vec<Duration>,
    streamed: Vec<Duration>,
    lists: Vec<Duration>,
    /// Quotes checked on the bidi streams.
    checked_streamed: usize,
}

/// The frontend's workload: `rounds` times, list a shelf, then quote each product on it.
async fn frontend(
    catalog: &CatalogClient<Arc<dyn Channel>>,
    pricing: &PricingClient<Arc<dyn Channel>>,
    rounds: usize,
    deadline: Duration,
    progress: &dyn Fn(usize),
) -> Result<Timings> {
    let mut timings = Timings {
        quotes: Vec::new(),
        streamed: Vec::new(),
        lists: Vec::new(),
        checked_streamed: 0,
    };
    for round in 0..rounds {
        let mut b = Builder::new();
        let mut list = ListProductsBuilder::new(&mut b)?;
        list.category(Category((round % 4) as u8)).limit(8);
        list.finish()?;
        let started = Instant::now();
        let mut products = catalog
            .list(Context::new().with_timeout(deadline), b.as_bytes())
            .await?;
        let mut shelf = Vec::new();
        while let Some(product) = products.next().await {
            let product = product?;
            let view = product.get();
            shelf.push((view.sku(), view.list_price().map_or(0, |p| p.units())));
        }
        timings.lists.push(started.elapsed());
        // The whole shelf again, quoted over one bidi stream: a request per product sent
        // as the quotes come back.
        let started = Instant::now();
        let (mut sender, mut quotes) = pricing
            .quote_each(Context::new().with_timeout(deadline))
            .await?;
        for &(sku, _) in &shelf {
            let mut q = GetQuoteBuilder::new(sender.builder())?;
            q.sku(sku);
            q.finish()?;
            sender.send().await?;
        }
        sender.close();
        let mut streamed = 0;
        while let Some(quote) = quotes.next().await {
            let (sku, list_price) = shelf.get(streamed).copied().unwrap_or_default();
            check_quote(&quote?, sku, list_price)?;
            streamed += 1;
        }
        if streamed != shelf.len() {
            bail!("{streamed} quotes streamed for {} products", shelf.len());
        }
        timings.checked_streamed += streamed;
        if let Some(per_quote) = started.elapsed().checked_div(streamed.max(1) as u32) {
            timings.streamed.push(per_quote);
        }
        for (sku, list_price) in shelf {
            let mut b = Builder::new();
            let mut q = GetQuoteBuilder::new(&mut b)?;
            q.sku(sku);
            q.customer(if round % 2 == 0 { "vip-ada" } else { "grace" })?;
            q.finish()?;
            let started = Instant::now();
            let quote = pricing
                .quote(Context::new().with_timeout(deadline), b.as_bytes())
                .await?;
            timings.quotes.push(started.elapsed());
            check_quote(&quote, sku, list_price)?;
        }
        progress(round + 1);
    }
    Ok(timings)
}

/// Checks that `quote` prices `sku` at its list price or, with a discount, below it.
fn check_quote(quote: &Message<QuoteT>, sku: u64, list_price: i64) -> Result<()> {
    let view = quote.get();
    let price = view.price().map_or(0, |p| p.units());
    let discounted = !matches!(view.discount(), DiscountRef::NONE);
    if view.sku() != sku || price > list_price || (price < list_price) != discounted {
        bail!(
            "quote for {sku}: {} at {price} against a list price of {list_price}",
            view.sku()
        );
    }
    Ok(())
}

/// Serves the services named `component` at its configured place until the process is told
/// to stop (Ctrl-C, or SIGTERM as a service manager sends it); then stops serving, which
/// removes a shared-memory server's socket file.
async fn host(deployment: &Deployment, component: &str) -> Result<()> {
    let service = match component {
        "catalog" => CATALOG,
        "pricing" => PRICING,
        other => bail!("no component `{other}`: catalog, pricing or frontend"),
    };
    let handler: Arc<dyn weftbuf_rpc::Handler> = match component {
        "catalog" => Arc::new(CatalogServer(Catalog)),
        _ => Arc::new(PricingServer(Pricing)),
    };
    let settings = deployment.service(service)?;
    let stop = stop_signal()?;
    match &settings.at {
        #[cfg(feature = "grpc")]
        Location::Grpc { host, port } => {
            let addr = tokio::net::lookup_host((host.as_str(), *port))
                .await?
                .next()
                .with_context(|| format!("{host} has no address"))?;
            let serving = weftbuf_rpc::grpc::Server::new()
                .serve_shared(handler)
                .run(addr, stop)?;
            crate::output::println(format!("{component}: serving {service} on grpc://{addr}"))?;
            serving.await?;
        }
        #[cfg(all(feature = "shm", target_os = "linux"))]
        Location::Shm { path } => {
            let mut server = weftbuf_rpc::shm::Server::new().serve_shared(handler);
            if let Some(uids) = &settings.allow_uids {
                server = server.allow(weftbuf_rpc::shm::Allow(uids.clone()));
            }
            let serving = server.run(&weftbuf_rpc::shm::Address::new(path), stop)?;
            crate::output::println(format!(
                "{component}: serving {service} on shm://{}",
                path.display()
            ))?;
            serving.await?;
        }
        other => bail!("{service} runs at {other}: this build cannot host it there"),
    }
    crate::output::println(format!("{component}: stopped"))?;
    Ok(())
}

/// Completes when the process gets SIGINT (Ctrl-C) or SIGTERM. Made before the server
/// starts, so that a signal that comes early still stops it cleanly.
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("watching for Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("watching for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// The table's columns after the boundary's: each value's width.
const COLUMNS: [(&str, usize); 5] = [
    ("quote p50", 12),
    ("quote p99", 12),
    ("streamed p50", 14),
    ("listing p50", 14),
    ("listing p99", 14),
];

/// The table the demo prints: one row per boundary, the first column as wide as the
/// longest boundary's label.
struct Table {
    label_width: usize,
}

impl Table {
    /// A table for rows labelled `labels`; prints its header.
    fn new<'a>(labels: impl IntoIterator<Item = &'a str>) -> Result<Table> {
        let label_width = labels
            .into_iter()
            .map(|l| l.chars().count())
            .chain(["boundary".len()])
            .max()
            .unwrap_or_default();
        let table = Table { label_width };
        table.row("boundary", COLUMNS.map(|(name, _)| name.to_string()))?;
        Ok(table)
    }

    fn row(&self, label: &str, values: [String; 5]) -> Result<()> {
        let mut line = format!("  {label:<width$}", width = self.label_width);
        for ((_, width), value) in COLUMNS.iter().zip(values) {
            line.push_str(&format!(" {value:>width$}"));
        }
        crate::output::println(line)
    }
}

/// What the workload checked: every quote against its product's list price.
#[derive(Default)]
struct Checked {
    quotes: usize,
    streamed: usize,
}

/// The frontend's clients of the two services.
type Clients = (
    CatalogClient<Arc<dyn Channel>>,
    PricingClient<Arc<dyn Channel>>,
);

/// Runs the workload over `catalog` and `pricing`, then prints its row of `table`.
async fn measure(
    table: &Table,
    label: &str,
    (catalog, pricing): &Clients,
    rounds: usize,
    deadline: Duration,
    checked: &mut Checked,
) -> Result<()> {
    let step = (rounds / 10).max(1);
    // A progress line redrawn in place: for a person watching a terminal, not for a log.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |done: usize| {
        if terminal && (done.is_multiple_of(step) || done == rounds) {
            eprint!("\r  {label}: {done}/{rounds} rounds");
            if done == rounds {
                eprint!("\r{:width$}\r", "", width = label.len() + 40);
            }
        }
    };
    // A first run warms caches and connections; the second is measured.
    frontend(catalog, pricing, rounds.min(20), deadline, &|_| {}).await?;
    let mut timings = frontend(catalog, pricing, rounds, deadline, &progress).await?;
    checked.quotes += timings.quotes.len();
    checked.streamed += timings.checked_streamed;
    timings.quotes.sort();
    timings.streamed.sort();
    timings.lists.sort();
    table.row(
        label,
        [
            micros(percentile(&timings.quotes, 0.5)),
            micros(percentile(&timings.quotes, 0.99)),
            micros(percentile(&timings.streamed, 0.5)),
            micros(percentile(&timings.lists, 0.5)),
            micros(percentile(&timings.lists, 0.99)),
        ],
    )?;
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Where the storefront's two services run, as a row's label: `inproc` when both do.
fn placement(deployment: &Deployment) -> Result<String> {
    let (catalog, pricing) = (
        &deployment.service(CATALOG)?.at,
        &deployment.service(PRICING)?.at,
    );
    Ok(match (catalog, pricing) {
        (Location::InProc, Location::InProc) => "inproc".into(),
        _ => format!("catalog {catalog}, pricing {pricing}"),
    })
}

/// Runs the demo. With no configuration, the same workload over each boundary this build
/// has, side by side (gRPC on a loopback port of this process); with one, the deployment it
/// describes, as the `component` given (`frontend` by default: run the workload).
pub(crate) fn run(
    config: Option<&std::path::Path>,
    component: Option<&str>,
    rounds: usize,
) -> Result<()> {
    let (text, name) = match config {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            DEFAULT_CONFIG.to_string(),
            "the default configuration".into(),
        ),
    };
    let deployment = Deployment::new(&[CATALOG, PRICING])
        .with_config(&text, &name)?
        .with_env(std::env::vars())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match component {
            None | Some("frontend") => {}
            Some(other) => return host(&deployment, other).await,
        }
        let local = InProc::new()
            .serve(CatalogServer(Catalog))
            .serve(PricingServer(Pricing));
        let deadline = deployment
            .service(PRICING)?
            .deadline
            .unwrap_or(Duration::from_secs(2));
        crate::output::println(format!(
            "weftbuf demo: the storefront, a frontend calling a catalog and a pricing service.\n\
             Each of {rounds} rounds lists a shelf of the catalog (a server stream of 8 products),\n\
             quotes each product (8 unary calls), then quotes the shelf again over one bidi\n\
             stream (`streamed`: the time per quote). Latency per call:\n"
        ))?;
        let clients_of = |deployment: &Deployment| -> Result<Clients> {
            Ok((
                CatalogClient::new(deployment.channel(CATALOG, &local)?),
                PricingClient::new(deployment.channel(PRICING, &local)?),
            ))
        };
        let mut checked = Checked::default();
        let here = placement(&deployment)?;
        if config.is_some() {
            let table = Table::new([here.as_str()])?;
            let clients = clients_of(&deployment)?;
            measure(&table, &here, &clients, rounds, deadline, &mut checked).await?;
            return report(&checked);
        }
        let table = Table::new([here.as_str(), "grpc (loopback)", "shm"])?;
        let clients = clients_of(&deployment)?;
        measure(&table, &here, &clients, rounds, deadline, &mut checked).await?;
        #[cfg(feature = "grpc")]
        {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = weftbuf_rpc::grpc::Server::new()
                .serve(CatalogServer(Catalog))
                .serve(PricingServer(Pricing))
                .run_on(listener, async {
                    let _ = stopped.await;
                });
            let serving = tokio::spawn(server);
            // The same services, moved behind the port: a deployment that says so.
            let moved = deployment.clone().with_env([
                ("WEFTBUF_AT_STOREFRONT_CATALOG".to_string(), format!("grpc://{addr}")),
                ("WEFTBUF_AT_STOREFRONT_PRICING".to_string(), format!("grpc://{addr}")),
            ])?;
            let clients = clients_of(&moved)?;
            let label = "grpc (loopback)";
            measure(&table, label, &clients, rounds, deadline, &mut checked).await?;
            let _ = stop.send(());
            serving.await??;
        }
        #[cfg(all(feature = "shm", target_os = "linux"))]
        {
            // The same services behind a shared-memory server of this process, at an
            // abstract socket name (no file to clean up).
            let at = format!("@weftbuf-demo-{}", std::process::id());
            let address = weftbuf_rpc::shm::Address::new(std::path::Path::new(&at));
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = weftbuf_rpc::shm::Server::new()
                .serve(CatalogServer(Catalog))
                .serve(PricingServer(Pricing))
                .run(&address, async {
                    let _ = stopped.await;
                })?;
            let serving = tokio::spawn(server);
            let moved = deployment.clone().with_env([
                ("WEFTBUF_AT_STOREFRONT_CATALOG".to_string(), format!("shm://{at}")),
                ("WEFTBUF_AT_STOREFRONT_PRICING".to_string(), format!("shm://{at}")),
            ])?;
            let clients = clients_of(&moved)?;
            measure(&table, "shm", &clients, rounds, deadline, &mut checked).await?;
            let _ = stop.send(());
            serving.await??;
        }
        report(&checked)
    })
}

/// Says what was checked.
fn report(checked: &Checked) -> Result<()> {
    crate::output::println(format!(
        "\nEvery answer was checked: {} quotes and {} streamed quotes, each for the product asked \
         for,\nat its list price or, with the discount it names, below it.",
        checked.quotes, checked.streamed
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_demo_runs_in_process() {
        run(None, None, 10).unwrap();
    }

    #[test]
    fn the_default_config_parses() {
        let d = Deployment::new(&[CATALOG, PRICING])
            .with_config(DEFAULT_CONFIG, "default")
            .unwrap();
        assert_eq!(d.service(PRICING).unwrap().retry.attempts, 3);
        assert_eq!(placement(&d).unwrap(), "inproc");
    }

    #[test]
    fn pricing_refuses_an_unknown_product() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let pricing = PricingClient::new(
                Arc::new(InProc::new().serve(PricingServer(Pricing))) as Arc<dyn Channel>
            );
            let mut b = Builder::new();
            let mut q = GetQuoteBuilder::new(&mut b).unwrap();
            q.sku(PRODUCTS);
            q.finish().unwrap();
            let err = pricing
                .quote(Context::new(), b.as_bytes())
                .await
                .unwrap_err();
            assert_eq!(err.code, weftbuf_rpc::Code::NotFound);
        });
    }
}
