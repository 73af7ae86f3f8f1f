package dimse

// NewCEchoRQ returns a C-ECHO-RQ (PS3.7 section 9.3.5.1).
func NewCEchoRQ(messageID uint16) *Command {
	c := &Command{}
	c.SetString(TagAffectedSOPClassUID, "1.2.840.10008.1.1")
	c.SetUint16(TagCommandField, uint16(CEchoRQ))
	c.SetUint16(TagMessageID, messageID)
	c.SetUint16(TagCommandDataSetType, NoDataSet)
	return c
}

// NewCStoreRQ returns a C-STORE-RQ with a data set (PS3.7 section 9.3.1.1).
func NewCStoreRQ(messageID uint16, sopClassUID, sopInstanceUID string, priority uint16) *Command {
	c := &Command{}
	c.SetString(TagAffectedSOPClassUID, sopClassUID)
	c.SetUint16(TagCommandField, uint16(CStoreRQ))
	c.SetUint16(TagMessageID, messageID)
	c.SetUint16(TagPriority, priority)
	c.SetUint16(TagCommandDataSetType, DataSetPresent)
	c.SetString(TagAffectedSOPInstanceUID, sopInstanceUID)
	return c
}

// NewResponse returns the response to rq with the given command field and
// status, without data set: Message ID Being Responded To is rq's Message
// ID, and the Affected SOP Class and Instance UIDs of rq are echoed when
// present (PS3.7 sections 9.3.1.2 and 9.3.5.2).
func NewResponse(rq *Command, field CommandField, status uint16) *Command {
	c := &Command{}
	if v, ok := rq.Raw(TagAffectedSOPClassUID); ok {
		c.SetRaw(TagAffectedSOPClassUID, v)
	}
	c.SetUint16(TagCommandField, uint16(field))
	if id, ok := rq.MessageID(); ok {
		c.SetUint16(TagMessageIDBeingRespondedTo, id)
	} else {
		c.SetUint16(TagMessageIDBeingRespondedTo, 0)
	}
	c.SetUint16(TagCommandDataSetType, NoDataSet)
	c.SetUint16(TagStatus, status)
	if v, ok := rq.Raw(TagAffectedSOPInstanceUID); ok {
		c.SetRaw(TagAffectedSOPInstanceUID, v)
	}
	return c
}

// ResponseField returns the command field of the response to a request
// field (the high bit set), e.g. C-STORE-RSP for C-STORE-RQ.
func ResponseField(rq CommandField) CommandField { return rq | 0x8000 }
