"""A real MCP client session through `flora-mcp`: list Techniques, run one to completion, and
print its outputs. Run it with `just demo`; it starts its own fake FLORA on loopback."""

from __future__ import annotations

import anyio

from harness import fake_flora, flora_session


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def main() -> None:
    with fake_flora() as api_base:
        async with flora_session(api_base) as session:
            tools = await session.list_tools()
            print(f"flora-mcp offers {len(tools.tools)} tools over MCP.\n")

            listing = await session.call_tool("list_techniques", {"limit": 5})
            print(text(listing), "\n")

            technique = await session.call_tool("retrieve_technique", {"technique_id": "cctv-cam"})
            print(text(technique), "\n")

            image = "https://media.flora.ai/samples/storefront.png"
            started = await session.call_tool(
                "create_technique_run",
                {
                    "technique_id": "cctv-cam",
                    "inputs": [{"id": "input_image", "type": "imageUrl", "value": image}],
                },
            )
            print(text(started), "\n")
            if started.is_error:
                raise SystemExit(1)
            run_id = started.structured_content["run_id"]

            for _ in range(30):
                status = await session.call_tool(
                    "retrieve_technique_run", {"technique_id": "cctv-cam", "run_id": run_id}
                )
                run = status.structured_content or {}
                print(f"  status {run.get('status')}, {run.get('progress')}%")
                if run.get("status") in ("completed", "failed"):
                    break
                await anyio.sleep(0.5)
            print()
            print(text(status))
            if run.get("status") != "completed":
                raise SystemExit(1)


if __name__ == "__main__":
    anyio.run(main)
