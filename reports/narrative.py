"""The report's narrative: every sentence is made from the figures, none is written by hand."""

from .figures import ReportData


def paragraphs(data: ReportData) -> list[str]:
    total, out = data.total, []
    scope = "本部门" if data.department else f"纳入统计的 {len(data.departments)} 个部门"
    as_of = data.data_as_of.strftime("%Y年%-m月%-d日%H:%M")
    out.append(
        f"{data.year}年度{scope}中，达标 {data.met_count} 个，未达标 {len(data.missed)} 个。"
        + (f"数据截至{as_of}，年度尚未结束，以下数字为阶段性结果。" if data.provisional else "")
    )
    for t in total.kinds.values():
        if not t.rows:
            continue
        sentence = f"{t.label}年度总量合计 {t.cap} 件，已用 {t.used} 件（含特事特办 {t.overridden} 件"
        sentence += f"、经确认的明减暗增 {t.flagged} 件）" if t.flagged else "）"
        if t.last_year is not None:
            sentence += (f"；与上年可比的 {len(t.compared)} 个部门上年已用 {t.last_year} 件、今年已用 "
                         f"{t.used_compared} 件，较上年 {t.change_display}，压减目标合计 {t.target} 件")
        if t.new_count:
            sentence += f"；{t.new_count} 个部门本年新设总量，不作同比"
        sentence += "；" + ("各部门均达标。" if t.passed else f"{len(t.failed)} 个部门未达标，合计判定为未达标。")
        out.append(sentence)
    blocked = total.blocked
    out.append(f"全年因总量熔断被拦截的提交 {blocked} 次；提交领导小组审批（提级）的事项 {total.escalations} 件；"
               f"经领导小组批准的特事特办 {len(total.overrides)} 件。")
    if data.plans is not None:
        out.append(plan_sentence(data.plans))
    if data.missed:
        names = "；".join(f"{s.department.name}（{'；'.join(s.reasons)}）" for s in data.missed)
        out.append(f"未达标部门及原因：{names}。")
    b = data.burden
    out.append(
        f"已批准和已办结的 {b['documents']} 件文件共 {b['length_total']} 字，平均 {b['length_average']} 字；"
        f"其中 {b['forms_documents']} 件要求基层填报表格或报送材料共 {b['forms_total']} 项，"
        f"设置一票否决 {b['one_vote_veto']} 件，要求签订责任状 {b['responsibility_pledge']} 件。"
        f"已批准和已办结的 {b['meetings']} 个会议计划乡镇级参会 {b['township']} 人次、村级 {b['village']} 人次，"
        f"要求基层主要负责同志参会 {b['principals']} 个，视频会议 {b['video']} 个。"
    )
    return out


def plan_sentence(plans) -> str:
    """计划执行 in one sentence, from the same totals as the table."""
    planned = sum(t.planned for t in plans.totals)
    carried = sum(t.carried_out for t in plans.totals)
    actual = sum(t.actual for t in plans.totals)
    unplanned = sum(t.unplanned for t in plans.totals)
    sentence = (f"实行计划管理：{plans.departments_with_plan} 个部门的年度计划经减负办批准，计划事项 {planned} 项，"
                f"已执行 {carried} 项、未执行 {planned - carried} 项；已批准事项 {actual} 件，"
                f"其中计划外（一事一议）{unplanned} 件")
    if plans.departments_without_plan:
        sentence += f"；{len(plans.departments_without_plan)} 个部门没有经批准的年度计划，其事项均为计划外"
    return sentence + "。"
