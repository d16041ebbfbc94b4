"""Google Gemini through the `google-genai` SDK."""
from .base import register
from .llm import ANSWER_SCHEMA, SYSTEM_PROMPT, LLMClassifier


class GeminiClassifier(LLMClassifier):
    name = "gemini"
    requires = "google.genai"
    settings = ("GEMINI_API_KEY", "GEMINI_MODEL", "GEMINI_BASE_URL", "CLASSIFIER_TIMEOUT")
    api_key_setting = "GEMINI_API_KEY"

    def _make_client(self):
        from google import genai
        from google.genai import types

        return genai.Client(api_key=self.api_key, http_options=types.HttpOptions(base_url=self.base_url))

    def _ask(self, text: str, timeout: float) -> str | None:
        from google.genai import types

        response = self.client.models.generate_content(
            model=self.model,
            contents=text,
            config=types.GenerateContentConfig(
                system_instruction=SYSTEM_PROMPT,
                temperature=0,
                response_mime_type="application/json",
                response_json_schema=ANSWER_SCHEMA,
                # google-genai counts its timeout in milliseconds and retries nothing unless asked
                http_options=types.HttpOptions(timeout=max(1, int(timeout * 1000))),
            ),
        )
        return response.text

    def _is_transient(self, error: Exception) -> bool:
        from google.genai import errors

        if isinstance(error, errors.APIError):
            return isinstance(error, errors.ServerError)
        # Transport failures arrive as the HTTP client's own exceptions, from httpx or its fork httpx2
        # (whichever google-genai picked), which share class names. Retry a refused or dropped
        # connection, never a timeout: the budget is spent.
        names = {cls.__name__ for cls in type(error).__mro__}
        return "TransportError" in names and "TimeoutException" not in names


register(GeminiClassifier)
