"""Local doubles of what the product talks to outside the process (Twilio's REST API, OpenAI's
HTTP and Realtime APIs, a business's website) and the fixture business, shared by the tests and
the benchmark scripts. Nothing in the product imports them."""
