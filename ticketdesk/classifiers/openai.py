"""OpenAI, or any server that speaks its chat-completions protocol (Ollama, vLLM, LM Studio)."""
from .base import register
from .llm import ANSWER_SCHEMA, SYSTEM_PROMPT, LLMClassifier

JSON_SCHEMA_FORMAT = {"type": "json_schema",
                      "json_schema": {"name": "ticket_triage", "strict": True, "schema": ANSWER_SCHEMA}}
JSON_OBJECT_FORMAT = {"type": "json_object"}


class OpenAIClassifier(LLMClassifier):
    name = "openai"
    requires = "openai"
    settings = ("OPENAI_API_KEY", "OPENAI_MODEL", "OPENAI_BASE_URL", "CLASSIFIER_TIMEOUT")
    api_key_setting = "OPENAI_API_KEY"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._response_format = JSON_SCHEMA_FORMAT

    def _make_client(self):
        import openai

        # The SDK would wait up to 600 s and retry twice.
        return openai.OpenAI(api_key=self.api_key, base_url=self.base_url, timeout=self.timeout, max_retries=0)

    def _ask(self, text: str, timeout: float) -> str | None:
        import openai

        try:
            return self._complete(text, timeout)
        except (openai.BadRequestError, openai.UnprocessableEntityError):
            if self._response_format is not JSON_SCHEMA_FORMAT:
                raise
            # Some OpenAI-compatible servers reject json_schema; ask for plain JSON and check it ourselves.
            self._response_format = JSON_OBJECT_FORMAT
            return self._complete(text, timeout)

    def _complete(self, text: str, timeout: float) -> str | None:
        completion = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}],
            response_format=self._response_format,
            temperature=0,
            timeout=timeout,
        )
        return completion.choices[0].message.content if completion.choices else None

    def _is_transient(self, error: Exception) -> bool:
        import openai

        if isinstance(error, openai.APITimeoutError):
            return False
        if isinstance(error, openai.APIConnectionError):
            return True
        return isinstance(error, openai.APIStatusError) and error.status_code >= 500


register(OpenAIClassifier)
