/** A CA made for one test run, and a certificate for 127.0.0.1 that it signed (openssl). */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCertificates {
  /** The CA's certificate (PEM file). */
  caPath: string;
  key: Buffer;
  cert: Buffer;
}

export function makeCertificates(dir: string): TestCertificates {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore", cwd: dir });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=strata-test-ca",
  );
  openssl("req", ...ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  const sign = ["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext"];
  openssl("x509", "-req", "-in", "srv.csr", ...sign, "-out", "srv.pem");
  return {
    caPath: join(dir, "ca.pem"),
    key: readFileSync(join(dir, "srv.key")),
    cert: readFileSync(join(dir, "srv.pem")),
  };
}
