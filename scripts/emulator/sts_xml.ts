/**
 * The AWS query protocol's XML, as STS answers: the namespace, escaping, responses and the
 * `ErrorResponse` shape.
 *
 * @module
 */

/** XML namespace of STS responses. */
export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
/** The STS API version. */
export const STS_VERSION = "2011-06-15";

/**
 * Escapes text for XML content.
 *
 * @example
 * ```ts
 * escapeXml("a<b"); // "a&lt;b"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

/**
 * An STS XML response with its request id header.
 *
 * @example
 * ```ts
 * xmlResponse(200, "<GetCallerIdentityResponse …/>", "id");
 * ```
 */
export function xmlResponse(status: number, xml: string, requestId: string): Response {
  return new Response(xml, {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
  });
}

/**
 * An STS error in the query protocol's XML shape (`Sender` for 4xx, `Receiver` for 5xx).
 *
 * @example
 * ```ts
 * stsError("ExpiredToken", { status: 403, message: "The security token ...", requestId: "id" });
 * ```
 */
export function stsError(
  code: string,
  options: { status: number; message: string; requestId: string },
): Response {
  const { status, message, requestId } = options;
  const type = status >= 500 ? "Receiver" : "Sender";
  return xmlResponse(
    status,
    `<ErrorResponse xmlns="${STS_NAMESPACE}">
  <Error>
    <Type>${type}</Type>
    <Code>${escapeXml(code)}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`,
    requestId,
  );
}
