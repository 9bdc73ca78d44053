"""The real `flora-mcp` binary driven by the official MCP Python SDK against the fake FLORA."""

from __future__ import annotations

import anyio
import pytest

from harness import fake_flora, flora_session

pytestmark = pytest.mark.anyio

CORE_TOOLS = {
    "list_workspaces", "list_models", "list_techniques", "retrieve_technique",
    "create_technique_run", "run_technique", "retrieve_technique_run", "list_technique_runs",
    "list_projects", "retrieve_project", "list_assets", "retrieve_asset",
    "generate", "create_generation", "retrieve_run", "list_generations", "create_project",
    "upload_file", "import_url",
}
SEED_PROJECT = "prj_arf9d4q5zim7vde5zzf131fxwoq9fa63"
SEED_ASSET = "asset_4ly19n0smded6ekz4jfrgz763elp3u2f"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api_base():
    with fake_flora() as base:
        yield base


async def test_the_sdk_lists_every_core_tool_with_schemas(api_base: str) -> None:
    async with flora_session(api_base) as session:
        tools = (await session.list_tools()).tools
        assert CORE_TOOLS == {tool.name for tool in tools}
        for tool in tools:
            assert tool.input_schema["type"] == "object"
            assert tool.output_schema is not None and tool.output_schema["type"] == "object"


async def test_a_technique_runs_to_completion_with_outputs(api_base: str) -> None:
    async with flora_session(api_base) as session:
        found = await session.call_tool("list_techniques", {"query": "cctv"})
        assert not found.is_error
        technique_id = found.structured_content["techniques"][0]["technique_id"]

        started = await session.call_tool(
            "create_technique_run",
            {
                "technique_id": technique_id,
                "inputs": [{"id": "input_image", "type": "imageUrl",
                            "value": "https://media.flora.ai/samples/storefront.png"}],
            },
        )
        assert not started.is_error, started.content
        run_id = started.structured_content["run_id"]
        assert run_id.startswith("run_")

        for _ in range(20):
            polled = await session.call_tool(
                "retrieve_technique_run", {"technique_id": technique_id, "run_id": run_id}
            )
            assert not polled.is_error, polled.content
            if polled.structured_content["status"] == "completed":
                break
            await anyio.sleep(0.1)
        run = polled.structured_content
        assert run["status"] == "completed"
        assert run["outputs"] and run["outputs"][0]["url"].startswith("https://")
        assert run["outputs"][0]["url"] in polled.content[0].text


async def test_a_flora_error_is_a_tool_error_with_code_and_request_id(api_base: str) -> None:
    async with flora_session(api_base) as session:
        result = await session.call_tool("retrieve_project", {"project_id": "prj_doesnotexist"})
        assert result.is_error
        text = result.content[0].text
        assert "404 not_found" in text and "request-id: req_" in text and "Next step" in text


async def test_bad_arguments_are_a_protocol_error_naming_the_field(api_base: str) -> None:
    from mcp import MCPError

    async with flora_session(api_base) as session:
        with pytest.raises(MCPError) as raised:
            await session.call_tool("list_techniques", {"limit": 0})
        assert "limit" in str(raised.value)


async def test_run_technique_reports_progress_to_the_sdk_and_returns_outputs(api_base: str) -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with flora_session(api_base) as session:
        result = await session.call_tool(
            "run_technique",
            {
                "technique_id": "cctv-cam",
                "inputs": [{"id": "input_image", "type": "imageUrl",
                            "value": "https://media.flora.ai/samples/storefront.png"}],
            },
            progress_callback=on_progress,
        )
        assert not result.is_error, result.content
        assert result.structured_content["status"] == "completed"
        assert seen and seen[-1] == 100.0


async def test_a_file_in_a_declared_root_uploads_without_its_bytes_passing_through(
    api_base: str, tmp_path
) -> None:
    import json
    import urllib.request
    from pathlib import Path

    from mcp import types

    origin = api_base.rsplit("/api/v1", 1)[0]
    with urllib.request.urlopen(f"{origin}/__fake/storage") as answer:
        storage = json.load(answer)["storage_origin"]
    small = tmp_path / "photo.png"
    small.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(1000))
    large = tmp_path / "clip.mp4"
    with large.open("wb") as f:
        f.write(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2")
        f.truncate(6 * 1024 * 1024)

    async def roots(_context) -> types.ListRootsResult:
        return types.ListRootsResult(roots=[types.Root(uri=Path(tmp_path).as_uri())])

    async with flora_session(
        api_base, list_roots_callback=roots, FLORA_MCP_STORAGE_ORIGINS=storage
    ) as session:
        await anyio.sleep(0.3)  # the server asks for the roots right after initialization
        for path, kind, size in [(small, "image/png", 1016), (large, "video/mp4", 6 << 20)]:
            done = await session.call_tool("upload_file", {"path": str(path)})
            assert not done.is_error, done.content
            asset = done.structured_content
            assert (asset["status"], asset["content_type"], asset["size_bytes"]) == (
                "ready", kind, size
            )
        outside = await session.call_tool("upload_file", {"path": "/etc/hostname"})
        assert outside.is_error
        assert "not in a folder allowed" in outside.content[0].text


async def test_generate_returns_media_as_resource_links(api_base: str) -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with flora_session(api_base) as session:
        # The SDK checks structured_content against the tool's output schema.
        result = await session.call_tool(
            "generate",
            {"prompt": "A ceramic mug", "type": "image", "project_id": SEED_PROJECT,
             "model": "t2i-flux-2-pro"},
            progress_callback=on_progress,
        )
        assert not result.is_error, result.content
        output = result.structured_content["outputs"][0]["url"]
        links = [block for block in result.content if block.type == "resource_link"]
        assert [str(link.uri) for link in links] == [output]
        assert seen and seen[-1] == 100.0


async def test_every_toolset_answers_in_the_shape_its_output_schema_declares(
    api_base: str,
) -> None:
    """Calls a tool of every group with `--toolsets all`; the SDK validates each result."""
    async with flora_session(api_base, FLORA_MCP_TOOLSETS="all") as session:
        tools = (await session.list_tools()).tools
        assert len(tools) == 44
        calls = [
            ("list_workspaces", {}),
            ("list_models", {"type": "image"}),
            ("list_actions", {}),
            ("retrieve_action", {"action_id": "rotate-image-browser"}),
            ("list_project_nodes", {"project_id": SEED_PROJECT}),
            ("retrieve_canvas", {"project_id": SEED_PROJECT}),
            ("retrieve_project_graph", {"project_id": SEED_PROJECT}),
            ("retrieve_canvas_definition", {"project_id": SEED_PROJECT}),
            ("list_generations", {}),
            ("retrieve_asset", {"asset_id": SEED_ASSET}),
            ("create_project", {"name": "Schema check"}),
            ("create_workspace_project", {"name": "Schema check 2"}),
            ("create_library_folder", {"name": "Clips"}),
            ("create_asset", {"source": "signed-url", "file_name": "a.png",
                              "content_type": "image/png"}),
            ("attach_asset", {"asset_id": SEED_ASSET, "project_id": SEED_PROJECT}),
            ("apply_canvas_changeset", {"project_id": SEED_PROJECT,
                                        "add": [{"ref": "x", "type": "text",
                                                 "prompt": "A tagline"}]}),
            ("update_canvas", {"project_id": SEED_PROJECT,
                               "diagram": "graph LR\n  a[\"Poster (Image)\"]"}),
            ("run_project_nodes", {"project_id": SEED_PROJECT, "node_ids": ["n3"]}),
            ("create_action_node", {"project_id": SEED_PROJECT,
                                    "action_id": "rotate-image-browser"}),
            ("run_action", {"action_id": "rotate-image-browser", "project_id": SEED_PROJECT,
                            "inputs": [{"type": "image",
                                        "url": "https://media.flora.ai/in.png"}]}),
            ("start_technique_run", {"technique_id": "tech_cctv-cam",
                                     "inputs": {"input_image":
                                                "https://media.flora.ai/in.png"}}),
            ("create_generation", {"prompt": "A mug", "type": "image",
                                   "project_id": SEED_PROJECT}),
            ("record_feedback", {"kind": "bug", "summary": "s", "detail": "d"}),
        ]
        for name, arguments in calls:
            result = await session.call_tool(name, arguments)
            assert not result.is_error, (name, result.content)
            assert result.structured_content is not None, name
