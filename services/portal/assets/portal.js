// GOV.UK Frontend's components (only where the browser supports ES modules).
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
