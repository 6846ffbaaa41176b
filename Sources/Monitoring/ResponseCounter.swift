import CoreMetrics
import CurriculumMetrics
import Hummingbird

/// Counts every answer of the HTTP port by status code (`curriculum_http_responses_total`),
/// errors included, so an operator sees bad requests hitting the port. Requests too
/// malformed to reach the router get their 400 from Hummingbird before this runs.
struct ResponseCounter<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            count(response.status)
            return response
        } catch let error as any HTTPResponseError {
            count(error.status)
            throw error
        }
    }

    private func count(_ status: HTTPResponse.Status) {
        Counter(label: MetricCatalog.httpResponses.name, dimensions: [("code", "\(status.code)")], factory: factory)
            .increment()
    }
}
