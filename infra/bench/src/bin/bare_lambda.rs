//! The baseline for cold-start figures: a bare `lambda_http` function that answers 200.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async { Ok::<_, Error>(Response::new(Body::from("ok"))) })).await
}
